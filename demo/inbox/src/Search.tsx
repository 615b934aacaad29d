import { useState, type FormEvent } from 'react';
import { usePrivateMessages } from '../../../client/src/react';
import { errorText } from './parts';

/*
 * Search in one's own messages (GET /search): results newest first, each with its thread's subject,
 * its author and a plain-text snippet whose matched words are marked. Opening one shows its thread
 * at that message.
 */

type Hit = Awaited<ReturnType<ReturnType<typeof usePrivateMessages>['search']>>['data'][number];

/** The snippet's text with its highlight ranges as <mark>: text nodes only, never HTML. */
const Marked = ({ text, highlights }: Hit['snippet']) => {
  const parts: (string | JSX.Element)[] = [];
  let at = 0;
  for (const { start, end } of highlights) {
    if (start < at) continue;
    parts.push(text.slice(at, start), <mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(text.slice(at));
  return <span className="snippet">{parts}</span>;
};

export const MessageSearch = ({ onOpen }: { onOpen: (threadId: string, messageId: string) => void }) => {
  const pm = usePrivateMessages();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');
  const load = async (after?: string) => {
    try {
      const page = await pm.search(q.trim(), after ? { cursor: after } : {});
      setHits((before) => [...(after && before ? before : []), ...page.data]);
      setCursor(page.meta.nextCursor);
      setError('');
    } catch (err) {
      setError(errorText(err));
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim().length >= 2) void load();
  };
  const clear = () => (setQ(''), setHits(null), setCursor(null), setError(''));
  return (
    <div className="message-search">
      <form id="message-search" role="search" onSubmit={submit}>
        <label htmlFor="search-q">Search messages</label>
        <input id="search-q" type="search" name="search" minLength={2} value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">Search</button>
        {hits && (
          <button type="button" onClick={clear}>
            Clear
          </button>
        )}
      </form>
      {error && (
        <p id="search-error" className="error" role="alert">
          {error}
        </p>
      )}
      {hits && (
        <ul id="search-results" className="threads" aria-label="Messages found">
          {hits.map((hit) => (
            <li key={hit.message.id}>
              <button type="button" className="thread-item" onClick={() => onOpen(hit.thread.id, hit.message.id)}>
                <span className="subject">{hit.thread.subject || '(no subject)'}</span>
                <span className="people">
                  {hit.message.author?.username ?? 'deleted user'} · {new Date(hit.message.createdAt).toLocaleString()}
                </span>
                <Marked {...hit.snippet} />
              </button>
            </li>
          ))}
          {hits.length === 0 && <li className="muted">No messages found</li>}
        </ul>
      )}
      {cursor && (
        <button id="search-more" type="button" onClick={() => void load(cursor)}>
          More results
        </button>
      )}
    </div>
  );
};
