import { useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createPrivateMessagesClient } from '../../../client/src';
import { PrivateMessagesProvider } from '../../../client/src/react';
import { Login } from './Login';
import { Inbox } from './Inbox';
import { logout, renew, savedSession, type Session } from './session';

/*
 * The demo inbox the playground serves at /messages/: a React front end made with nothing but the
 * typed client and its React bindings (client/src/react). Live updates come from the stream; when
 * the server has none (or it fails), the unread count is polled instead.
 */

const pollMs = Number(new URLSearchParams(window.location.search).get('poll')) || 5000;

const App = () => {
  const [session, setSession] = useState<Session | null>(savedSession);
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
      <Inbox me={session.user} onLogout={end} />
    </PrivateMessagesProvider>
  );
};

createRoot(document.getElementById('root')!).render(<App />);
