import { useEffect, useRef, useState, type FormEvent } from 'react';
import { usePrivateMessages } from '../../../client/src/react';
import { errorText } from './parts';

/*
 * "Contact the seller" for one listing (/messages/?listing=<documentId>, the address the
 * playground's context declaration links to): the listing's title, read from the site's public
 * listings API, and a form that asks through `context: {uid, documentId}`. The server picks the
 * seller (the listing's owner) and the thread: the asker's earlier one about this listing while both
 * are still in it, else a new one. The page then opens that thread.
 */

export const LISTING_UID = 'api::listing.listing';

type Listing = { title: string; price?: number | null };

export const ContactSeller = ({ documentId, onOpen, onCancel }: { documentId: string; onOpen: (threadId: string) => void; onCancel: () => void }) => {
  const pm = usePrivateMessages();
  const [listing, setListing] = useState<Listing | null>(null);
  const [missing, setMissing] = useState(false);
  const [earlier, setEarlier] = useState<string | null>(null);
  const [body, setBody] = useState('Hello, is this still available?');
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);
  const title = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    fetch(`${window.location.origin}/api/listings/${encodeURIComponent(documentId)}?fields[0]=title&fields[1]=price`)
      .then(async (r) => (r.ok ? setListing((await r.json()).data as Listing) : setMissing(true)))
      .catch(() => setMissing(true));
    // Asked before? The same question goes to that thread; the page says so and links it.
    pm.threads.byContext(LISTING_UID, documentId).then(
      (r) => setEarlier(r.data.id),
      () => setEarlier(null)
    );
  }, [documentId]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => title.current?.focus(), [listing, missing]);

  const ask = async (e: FormEvent) => {
    e.preventDefault();
    setSending(true);
    setError('');
    try {
      const { data } = await pm.threads.create({ context: { uid: LISTING_UID, documentId }, body });
      onOpen(data.thread.id);
    } catch (err) {
      setError(errorText(err));
      setSending(false);
    }
  };

  if (missing) {
    return (
      <section className="contact" aria-labelledby="contact-title">
        <h2 id="contact-title" tabIndex={-1} ref={title}>
          This listing is no longer available
        </h2>
        <button type="button" onClick={onCancel}>
          Back to the inbox
        </button>
      </section>
    );
  }
  return (
    <section className="contact" aria-labelledby="contact-title" aria-busy={!listing}>
      <h2 id="contact-title" tabIndex={-1} ref={title}>
        Contact the seller
      </h2>
      <p id="contact-listing">
        About: <strong>{listing?.title ?? '…'}</strong>
        {listing?.price != null ? ` · ${listing.price}` : ''}
      </p>
      {earlier && (
        <p className="muted">
          You asked about this listing before: your message goes to the same conversation.{' '}
          <button type="button" className="link" onClick={() => onOpen(earlier)}>
            Open the conversation
          </button>
        </p>
      )}
      <form onSubmit={(e) => void ask(e)}>
        <label htmlFor="contact-body">Your question</label>
        <textarea id="contact-body" name="body" rows={4} required value={body} onChange={(e) => setBody(e.target.value)} />
        {error && (
          <p id="contact-error" className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={sending || !listing || !body.trim()}>
            Ask the seller
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
};
