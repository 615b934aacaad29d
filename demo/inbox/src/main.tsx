import { useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createPrivateMessagesClient } from '../../../client/src';
import { PrivateMessagesProvider } from '../../../client/src/react';
import { Login } from './Login';
import { Inbox } from './Inbox';
import { ContactSeller } from './ContactSeller';
import { logout, renew, savedSession, type Session } from './session';

/*
 * The demo inbox the playground serves at /messages/: a React front end made with nothing but the
 * typed client and its React bindings (client/src/react). Live updates come from the stream; when
 * the server has none (or it fails), the unread count is polled instead.
 */

const pollMs = Number(new URLSearchParams(window.location.search).get('poll')) || 5000;
// `?listing=<documentId>`: the "Contact the seller" page of that listing (after logging in).
const listingParam = new URLSearchParams(window.location.search).get('listing');
// `?thread=<documentId>`: that thread opens first (a notification's click, sw.js).
const threadParam = new URLSearchParams(window.location.search).get('thread');

const App = () => {
  const [session, setSession] = useState<Session | null>(savedSession);
  const [listing, setListing] = useState<string | null>(listingParam);
  const [openFirst, setOpenFirst] = useState<string | null>(threadParam);
  /** Leaves the listing's page for the inbox (and its address, so a reload shows the inbox). */
  const toInbox = (threadId: string | null) => {
    const url = new URL(window.location.href);
    url.searchParams.delete('listing');
    window.history.replaceState(null, '', url);
    setOpenFirst(threadId);
    setListing(null);
  };
  const client = useMemo(
    () =>
      session &&
      createPrivateMessagesClient({
        baseUrl: window.location.origin,
        // The stored JWT; after a 401 (or the stream's reauth), a renewed one from the refresh cookie.
        getToken: ({ refresh }) => (refresh ? renew() : savedSession()?.jwt),
      }),
    [session?.user.id] // eslint-disable-line react-hooks/exhaustive-deps
  );
  const end = async () => {
    await logout();
    setSession(null);
  };
  if (!session || !client) return <Login onLogin={setSession} />;
  return (
    <PrivateMessagesProvider client={client} pollMs={pollMs} onStopped={() => void end()}>
      {listing ? (
        <>
          <header className="top">
            <h1>Messages</h1>
            <span className="spacer" />
            <span id="me">Logged in as {session.user.username}</span>
          </header>
          <main id="main" tabIndex={-1}>
            <ContactSeller documentId={listing} onOpen={(id) => toInbox(id)} onCancel={() => toInbox(null)} />
          </main>
        </>
      ) : (
        <Inbox me={session.user} onLogout={end} openFirst={openFirst} />
      )}
    </PrivateMessagesProvider>
  );
};

createRoot(document.getElementById('root')!).render(<App />);
