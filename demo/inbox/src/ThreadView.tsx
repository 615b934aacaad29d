import { useEffect, useRef, useState, type FormEvent } from 'react';
import { isPrivateMessagesError, type Message, type Tag } from '../../../client/src';
import { usePrivateMessages, useSend, useThread } from '../../../client/src/react';
import { savedSession } from './session';
import { errorText, Fields, type Me } from './parts';
import { AttachmentList, FilePicker, useStagedFiles } from './Attachments';

/*
 * An open thread: its latest messages (older ones on scroll), reply, and the actions on it
 * (mark unread, archive, leave, block, tags, report a message).
 */

type Props = { id: string; /** A message to show (opened from a search result). */ focus?: string; me: Me; tags: Tag[]; onTagsChanged: () => unknown; onBack: () => void; onNotice: (text: string) => void };

/** POST /threads/:id/archive or /unarchive (folders; a server without them answers 404 or 405). */
const setArchived = async (threadId: string, archived: boolean) => {
  const res = await fetch(`${window.location.origin}/api/private-messages/threads/${encodeURIComponent(threadId)}/${archived ? 'archive' : 'unarchive'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${savedSession()?.jwt ?? ''}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!res.ok) throw new Error(res.status === 404 || res.status === 405 ? 'This server cannot archive threads yet.' : `Archiving failed (${res.status})`);
};

export const ThreadView = ({ id, focus, me, tags, onTagsChanged, onBack, onNotice }: Props) => {
  const pm = usePrivateMessages();
  const { thread, messages, error, hasOlder, loadOlder, refresh } = useThread(id, { limit: 20 });
  const { reply, error: replyError, sending } = useSend();
  const [text, setText] = useState('');
  const staged = useStagedFiles();
  const [newTag, setNewTag] = useState('');
  const [reporting, setReporting] = useState<Message | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const title = useRef<HTMLHeadingElement>(null);
  const lastId = useRef<string | undefined>(undefined);

  useEffect(() => title.current?.focus(), [Boolean(thread)]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    // A new latest message: show it (older pages keep the reader where they were).
    const latest = messages[messages.length - 1]?.id;
    if (latest !== lastId.current && box.current) box.current.scrollTop = box.current.scrollHeight;
    lastId.current = latest;
  }, [messages]);
  useEffect(() => {
    // Opened from a search result: older pages until the message is there, then show it.
    if (!focus || !thread) return;
    const found = document.getElementById(`m-${focus}`);
    if (found) {
      found.classList.add('found');
      found.scrollIntoView({ block: 'center' });
    } else if (hasOlder) void loadOlder();
  }, [focus, messages, hasOlder, Boolean(thread)]); // eslint-disable-line react-hooks/exhaustive-deps

  if (error && !thread) return <section className="thread"><p className="error" role="alert">{errorText(error)}</p></section>;
  if (!thread) return <section className="thread" aria-busy="true" />;

  const other = thread.participants.find((p) => p.id !== me.id);
  const archived = (thread as { folder?: string }).folder === 'archived';
  // A message request (from someone who is not a contact): accept it into the inbox, or decline it.
  const request = (thread as { folder?: string }).folder === 'requests';
  const act = (work: () => Promise<unknown>, done?: string) => async () => {
    try {
      await work();
      if (done) onNotice(done);
    } catch (err) {
      onNotice(errorText(err));
    }
  };
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (await reply(thread.id, { body: text, attachments: staged.ids.length > 0 ? staged.ids : undefined })) setText(''), staged.clear();
  };
  const saveTags = (ids: string[]) => act(() => pm.threads.setTags(thread.id, ids).then(refresh))();
  const addTag = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const { data } = await pm.tags.create(newTag);
      setNewTag('');
      await onTagsChanged();
      await saveTags([...thread.tags.map((t) => t.id), data.id]);
    } catch (err) {
      onNotice(errorText(err));
    }
  };

  return (
    <section id="thread" className="thread" aria-labelledby="thread-title">
      <button type="button" className="back" onClick={onBack}>
        ← Inbox
      </button>
      <h2 id="thread-title" tabIndex={-1} ref={title}>
        {thread.subject || '(no subject)'}
      </h2>
      <p id="thread-people" className="muted">
        With {thread.participants.filter((p) => p.id !== me.id).map((p) => p.username + (p.left ? ' (left)' : '')).join(', ')}
        {/* The server only gives http(s) links (the declaration's urlTemplate is checked at boot). */}
        {thread.context ? (
          <>
            {' · about '}
            <a href={thread.context.url}>{thread.context.title ?? 'a listing no longer available'}</a>
          </>
        ) : null}
      </p>
      <Fields of={thread} />
      {request && (
        <div className="actions" role="group" aria-label="Message request">
          <p className="muted">A message request: the sender is not one of your contacts and does not know whether you read it.</p>
          <button type="button" onClick={act(() => pm.threads.accept(thread.id).then(refresh), 'Accepted: moved to the inbox')}>
            Accept
          </button>
          <button type="button" onClick={act(() => pm.threads.decline(thread.id).then(onBack), 'Declined')}>
            Decline
          </button>
          <button
            type="button"
            onClick={act(async () => confirm('Decline and block the sender?') && (await pm.threads.decline(thread.id, { block: true }), onBack(), onNotice('Declined and blocked')))}
          >
            Decline and block
          </button>
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={act(() => pm.threads.markUnread(thread.id).then(onBack), 'Marked unread')}>
          Mark unread
        </button>
        <button type="button" onClick={act(() => setArchived(thread.id, !archived).then(onBack), archived ? 'Moved to the inbox' : 'Archived')}>
          {archived ? 'Unarchive' : 'Archive'}
        </button>
        {(thread.isGroup || thread.roles.length > 0) && (
          <button type="button" onClick={act(async () => confirm('Leave this conversation?') && (await pm.threads.leave(thread.id), onBack()))}>
            Leave
          </button>
        )}
        {!thread.isGroup && other && (
          <button
            type="button"
            onClick={act(async () => {
              if (!confirm(`Block ${other.username}? They will not be able to write to you.`)) return;
              await pm.blocks.create(other.id);
              onNotice(`${other.username} is blocked`);
            })}
          >
            Block
          </button>
        )}
        <details className="tags-edit">
          <summary>Tags</summary>
          <fieldset id="thread-tags">
            <legend>Tags on this thread</legend>
            {tags.map((t) => {
              const on = thread.tags.some((x) => x.id === t.id);
              const ids = on ? thread.tags.filter((x) => x.id !== t.id).map((x) => x.id) : [...thread.tags.map((x) => x.id), t.id];
              return (
                <label key={t.id} className="inline" htmlFor={`tag-${t.id}`}>
                  <input type="checkbox" id={`tag-${t.id}`} checked={on} onChange={() => void saveTags(ids)} /> {t.name}
                </label>
              );
            })}
          </fieldset>
          <form id="new-tag" onSubmit={addTag}>
            <label htmlFor="new-tag-name">New tag</label>
            <input id="new-tag-name" maxLength={64} required value={newTag} onChange={(e) => setNewTag(e.target.value)} />
            <button type="submit">Add</button>
          </form>
        </details>
      </div>
      <div id="messages" className="messages" role="log" aria-label="Messages" tabIndex={0} ref={box} onScroll={(e) => e.currentTarget.scrollTop < 40 && hasOlder && void loadOlder()}>
        {hasOlder && (
          <button id="older" type="button" onClick={() => void loadOlder()}>
            Load older messages
          </button>
        )}
        <ol id="message-list">
          {messages.map((m) => {
            const mine = m.author?.id === me.id;
            return (
              <li key={m.id} id={`m-${m.id}`} className={`message${mine ? ' mine' : ''}${m.isNew ? ' new' : ''}`}>
                <p className="meta">{`${m.author?.username ?? 'deleted user'} · ${new Date(m.createdAt).toLocaleString()}`}</p>
                {/* Message bodies are sanitized by the server (every format drops scripts and handlers). */}
                {m.deleted ? <p className="muted">This message was deleted.</p> : <div className="body" dangerouslySetInnerHTML={{ __html: m.body ?? '' }} />}
                <Fields of={m} />
                {!m.deleted && <AttachmentList files={m.attachments ?? []} />}
                {!mine && !m.deleted && (
                  <button type="button" className="link" onClick={() => setReporting(m)}>
                    Report
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      </div>
      <form id="reply" className="reply" onSubmit={send}>
        <label htmlFor="reply-body">Reply</label>
        <textarea id="reply-body" required rows={3} value={text} onChange={(e) => setText(e.target.value)} />
        <FilePicker id="reply-files" staged={staged} />
        <button type="submit" disabled={sending}>
          Send reply
        </button>
        <p id="reply-error" className="error" role="alert">
          {replyError ? errorText(replyError) : ''}
        </p>
      </form>
      <Report message={reporting} onClose={(done) => (setReporting(null), done && onNotice('Reported to the moderators'))} />
    </section>
  );
};

const Report = ({ message, onClose }: { message: Message | null; onClose: (reported: boolean) => void }) => {
  const pm = usePrivateMessages();
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    if (message && !dialog.current?.open) (setReason(''), setError(''), dialog.current?.showModal());
    if (!message && dialog.current?.open) dialog.current.close();
  }, [message]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await pm.messages.report(message!.id, reason);
      onClose(true);
    } catch (err) {
      setError(isPrivateMessagesError(err) && err.status === 409 ? 'You already reported this message.' : errorText(err));
    }
  };
  return (
    <dialog id="report" aria-labelledby="report-title" ref={dialog} onClose={() => message && onClose(false)}>
      <form id="report-form" method="dialog" onSubmit={submit}>
        <h2 id="report-title">Report this message</h2>
        <label htmlFor="report-reason">Why?</label>
        <textarea id="report-reason" required maxLength={1000} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
        <p id="report-error" className="error" role="alert">
          {error}
        </p>
        <div className="row">
          <button type="submit">Report</button>
          <button type="button" onClick={() => onClose(false)}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
};
