import { useEffect, useRef, useState } from 'react';
import { useInbox, useLiveStatus, usePrivateMessages, useUnreadCount, type Folder } from '../../../client/src/react';
import type { Tag, Thread } from '../../../client/src';
import { Compose } from './Compose';
import { ThreadView } from './ThreadView';
import { MessageSearch } from './Search';
import { Fields, type Me } from './parts';
import { Notifications } from './Notifications';

/*
 * The signed-in page: the header (unread badge, where updates come from), folder tabs, the filters
 * and the thread list, and the open thread. Folders are newer than some servers: a server that
 * refuses `folder=` (400) keeps the plain inbox, and the tabs say so.
 */

const FOLDERS: { id: Folder; label: string }[] = [
  { id: 'inbox', label: 'Inbox' },
  { id: 'requests', label: 'Requests' },
  { id: 'archived', label: 'Archived' },
  { id: 'sent', label: 'Sent' },
  { id: 'all', label: 'All' },
];
const STATUS = { live: 'Updates: live', polling: 'Updates: polling', connecting: 'Updates: connecting', stopped: 'Updates: off' };

export const Inbox = ({ me, onLogout, openFirst = null }: { me: Me; onLogout: () => void; openFirst?: string | null }) => {
  const pm = usePrivateMessages();
  const [folder, setFolder] = useState<Folder>('inbox');
  const [foldersMissing, setFoldersMissing] = useState(false);
  const [q, setQ] = useState('');
  const [tag, setTag] = useState('');
  const [unread, setUnread] = useState(false);
  const [tags, setTags] = useState<Tag[]>([]);
  // A thread to open on arrival (the one just asked about from a listing's page).
  const [openId, setOpenId] = useState<string | null>(openFirst);
  // A message found by search: its thread opens at it.
  const [focusId, setFocusId] = useState<string | undefined>(undefined);
  const [composing, setComposing] = useState(false);
  const [notice, setNotice] = useState('');
  const inbox = useInbox({
    // The default folder is the inbox: not sent, so a server without folders answers it too.
    ...(folder !== 'inbox' ? { folder } : {}),
    q: q.trim() || undefined,
    tag: tag || undefined,
    unread: unread ? true : undefined,
    limit: 20,
  });
  const { count } = useUnreadCount();
  const status = useLiveStatus();
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    if (folder !== 'inbox' && inbox.error?.status === 400) {
      setFoldersMissing(true);
      setFolder('inbox');
    }
  }, [inbox.error, folder]);
  const loadTags = () => pm.tags.list().then((r) => setTags(r.data), () => undefined);
  useEffect(() => {
    void loadTags();
    main.current?.focus();
    if (openFirst) document.body.classList.add('reading');
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const others = (t: Thread) => t.participants.filter((p) => p.id !== me.id).map((p) => p.username).join(', ');
  const open = (id: string | null, messageId?: string) => {
    setFocusId(messageId);
    setOpenId(id);
    document.body.classList.toggle('reading', Boolean(id));
  };

  return (
    <>
      <header className="top">
        <h1>Messages</h1>
        <span id="badge" className="badge" role="status" aria-live="polite" hidden={!count?.threads}>
          {count?.threads ? `${count.threads} unread` : ''}
        </span>
        <span id="live" className="live" aria-live="polite">
          {notice || STATUS[status]}
        </span>
        <span className="spacer" />
        <span id="me">Logged in as {me.username}</span>
        <Notifications onNotice={setNotice} />
        <button type="button" onClick={() => (setComposing(true), setNotice(''))}>
          New message
        </button>
        <button type="button" onClick={onLogout}>
          Log out
        </button>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <div id="app" className="layout">
          <section className="inbox" aria-labelledby="inbox-title">
            <h2 id="inbox-title">{FOLDERS.find((f) => f.id === folder)!.label}</h2>
            <div role="tablist" aria-label="Folders" className="tabs">
              {FOLDERS.map((f) => (
                <button
                  key={f.id}
                  type="button"
                  role="tab"
                  aria-selected={folder === f.id}
                  disabled={foldersMissing && f.id !== 'inbox'}
                  onClick={() => (setFolder(f.id), open(null))}
                >
                  {f.label}
                  {f.id === 'requests' && count?.requests ? ` (${count.requests})` : ''}
                </button>
              ))}
            </div>
            {foldersMissing && <p className="muted">This server has no folders yet: the inbox only.</p>}
            <MessageSearch onOpen={(threadId, messageId) => open(threadId, messageId)} />
            <form id="filters" className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
              <label htmlFor="filter-q">Search subjects</label>
              <input id="filter-q" type="search" name="q" value={q} onChange={(e) => setQ(e.target.value)} />
              <label htmlFor="filter-tag">Tag</label>
              <select id="filter-tag" name="tag" value={tag} onChange={(e) => setTag(e.target.value)}>
                <option value="">All tags</option>
                {tags.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
              <label className="inline">
                <input id="filter-unread" type="checkbox" name="unread" checked={unread} onChange={(e) => setUnread(e.target.checked)} /> Unread only
              </label>
            </form>
            {inbox.error && inbox.error.status !== 400 && (
              <p className="error" role="alert">
                {inbox.error.message}
              </p>
            )}
            <ul id="threads" className="threads" aria-label="Threads" aria-busy={inbox.loading}>
              {inbox.threads.map((t) => (
                <li key={t.id} className={t.unreadCount > 0 ? 'unread' : ''}>
                  <button type="button" className="thread-item" aria-current={openId === t.id ? 'true' : 'false'} onClick={() => open(t.id)}>
                    <span className="subject">{t.subject || '(no subject)'}</span>
                    {t.unreadCount > 0 && (
                      <span className="count" aria-label={`${t.unreadCount} unread`}>
                        {t.unreadCount}
                      </span>
                    )}
                    <span className="people">{others(t)}</span>
                    {/* A thread about a listing ("contact the seller"): its title now, or that it is gone. */}
                    {t.context ? (
                      <span className="about">About: {t.context.available ? t.context.title : 'a listing no longer available'}</span>
                    ) : null}
                    <span className="excerpt">{t.lastMessage?.excerpt ?? ''}</span>
                    {t.tags.length > 0 && <span className="tags">{t.tags.map((x) => `#${x.name}`).join(' ')}</span>}
                    <Fields of={t} inline />
                  </button>
                </li>
              ))}
              {!inbox.loading && inbox.threads.length === 0 && <li className="muted">No threads</li>}
            </ul>
            {inbox.hasMore && (
              <button id="more" type="button" onClick={() => void inbox.loadMore()}>
                Load more threads
              </button>
            )}
          </section>
          {openId && (
            <ThreadView key={`${openId}:${focusId ?? ''}`} id={openId} focus={focusId} me={me} tags={tags} onTagsChanged={loadTags} onBack={() => open(null)} onNotice={setNotice} />
          )}
        </div>
        <Compose open={composing} onClose={() => setComposing(false)} onSent={(id) => (setComposing(false), open(id))} />
      </main>
    </>
  );
};
