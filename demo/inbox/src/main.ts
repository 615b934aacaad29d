import { createPrivateMessagesClient, isPrivateMessagesError, type PrivateMessagesClient, type Thread, type Message, type Tag } from '../../../client/src';
import { $, el, errorText, show, when } from './dom';
import { setupCompose } from './compose';
import { startLive } from './live';

/*
 * The demo inbox the playground serves at /messages/: a front end made with nothing but the
 * typed client. Live updates come from the stream; when the server has none (or it fails), the
 * unread count is polled instead.
 */

const baseUrl = window.location.origin;
const pollMs = Number(new URLSearchParams(window.location.search).get('poll')) || 5000;

type State = {
  pm: PrivateMessagesClient | null;
  me: { id: number; username: string } | null;
  threads: Thread[];
  nextCursor: string | null;
  current: { thread: Thread; messages: Message[]; olderCursor: string | null } | null;
  tags: Tag[];
  unread: number | null;
  stop: (() => void) | null;
};
const state: State = { pm: null, me: null, threads: [], nextCursor: null, current: null, tags: [], unread: null, stop: null };
const pm = () => state.pm as PrivateMessagesClient;

const filters = () => ({
  q: ($<HTMLInputElement>('#filter-q').value.trim() || undefined) as string | undefined,
  tag: $<HTMLSelectElement>('#filter-tag').value || undefined,
  unread: $<HTMLInputElement>('#filter-unread').checked ? (true as const) : undefined,
});

const renderBadge = (count: number) => {
  const badge = $('#badge');
  badge.hidden = count === 0;
  badge.textContent = `${count} unread`;
};

const renderThreads = () => {
  const list = $('#threads');
  list.replaceChildren(
    ...state.threads.map((t) => {
      const others = t.participants.filter((p) => p.id !== state.me?.id).map((p) => p.username).join(', ');
      const button = el('button', { type: 'button', class: 'thread-item', 'aria-current': state.current?.thread.id === t.id ? 'true' : 'false' }, [
        el('span', { class: 'subject' }, [t.subject || '(no subject)']),
        t.unreadCount > 0 ? el('span', { class: 'count', 'aria-label': `${t.unreadCount} unread` }, [String(t.unreadCount)]) : '',
        el('span', { class: 'people' }, [others]),
        // A thread about a listing ("contact the seller"): its title now, or that it is gone.
        t.context ? el('span', { class: 'about' }, [`About: ${t.context.available ? t.context.title : 'a listing no longer available'}`]) : '',
        el('span', { class: 'excerpt' }, [t.lastMessage?.excerpt ?? '']),
        t.tags.length ? el('span', { class: 'tags' }, [t.tags.map((x) => `#${x.name}`).join(' ')]) : '',
      ]);
      button.addEventListener('click', () => openThread(t.id));
      return el('li', { class: t.unreadCount > 0 ? 'unread' : '' }, [button]);
    })
  );
  if (state.threads.length === 0) list.append(el('li', { class: 'muted' }, ['No threads']));
  $('#more').hidden = !state.nextCursor;
};

const loadInbox = async (more = false) => {
  const page = await pm().threads.list({ ...filters(), limit: 20, cursor: more ? (state.nextCursor ?? undefined) : undefined });
  state.threads = more ? [...state.threads, ...page.data] : page.data;
  state.nextCursor = page.meta.nextCursor;
  renderThreads();
};

const loadTags = async () => {
  state.tags = (await pm().tags.list()).data;
  const select = $<HTMLSelectElement>('#filter-tag');
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, ['All tags']), ...state.tags.map((t) => el('option', { value: t.id }, [t.name])));
  select.value = chosen;
};

const refreshCount = async () => {
  const { data } = await pm().unreadCount();
  const changed = state.unread !== null && data.messages !== state.unread;
  state.unread = data.messages;
  renderBadge(data.threads);
  return changed;
};

const messageItem = (m: Message) => {
  const mine = m.author?.id === state.me?.id;
  const item = el('li', { class: `message${mine ? ' mine' : ''}${m.isNew ? ' new' : ''}`, id: `m-${m.id}` }, [
    el('p', { class: 'meta' }, [`${m.author?.username ?? 'deleted user'} · ${new Date(m.createdAt).toLocaleString()}`]),
    m.deleted ? el('p', { class: 'muted' }, ['This message was deleted.']) : el('div', { class: 'body', html: m.body ?? '' }),
  ]);
  if (!mine && !m.deleted) {
    const report = el('button', { type: 'button', class: 'link' }, ['Report']);
    report.addEventListener('click', () => openReport(m.id));
    item.append(report);
  }
  return item;
};

const renderThread = () => {
  const cur = state.current;
  if (!cur) return;
  const { thread } = cur;
  $('#thread-title').textContent = thread.subject || '(no subject)';
  $('#thread-people').textContent = `With ${thread.participants.filter((p) => p.id !== state.me?.id).map((p) => p.username + (p.left ? ' (left)' : '')).join(', ')}`;
  // The server only gives http(s) links (the declaration's urlTemplate is checked at boot).
  if (thread.context) $('#thread-people').append(' · about ', el('a', { href: thread.context.url }, [thread.context.title ?? 'a listing no longer available']));
  $('#leave').hidden = !thread.isGroup && thread.roles.length === 0;
  $('#block').hidden = thread.isGroup;
  $('#message-list').replaceChildren(...cur.messages.map(messageItem));
  $('#older').hidden = !cur.olderCursor;
  const tagBox = $('#thread-tags');
  tagBox.replaceChildren(
    el('legend', {}, ['Tags on this thread']),
    ...state.tags.map((t) => {
      const box = el('input', { type: 'checkbox', id: `tag-${t.id}`, value: t.id }) as HTMLInputElement;
      box.checked = thread.tags.some((x) => x.id === t.id);
      box.addEventListener('change', () => saveTags());
      return el('label', { class: 'inline', for: `tag-${t.id}` }, [box, ` ${t.name}`]);
    })
  );
};

const openThread = async (id: string) => {
  const { data, meta } = await pm().threads.get(id, { limit: 20 });
  const { messages, ...thread } = data;
  state.current = { thread, messages, olderCursor: meta.olderCursor };
  show('#thread', true);
  document.body.classList.add('reading');
  renderThread();
  renderThreads();
  $('#messages').scrollTop = $('#messages').scrollHeight;
  $('#thread-title').focus();
  if (thread.unreadCount > 0) {
    await pm().threads.markRead(id);
    await Promise.all([loadInbox(), refreshCount()]);
  }
};

const loadOlder = async () => {
  const cur = state.current;
  if (!cur?.olderCursor) return;
  const box = $('#messages');
  const before = box.scrollHeight;
  const page = await pm().threads.messages(cur.thread.id, { before: cur.olderCursor, limit: 20 });
  cur.messages = [...page.data, ...cur.messages];
  cur.olderCursor = page.meta.olderCursor;
  renderThread();
  box.scrollTop = box.scrollHeight - before; // keep the reader where they were
};

const saveTags = async () => {
  const cur = state.current;
  if (!cur) return;
  const ids = [...document.querySelectorAll<HTMLInputElement>('#thread-tags input:checked')].map((b) => b.value);
  cur.thread = (await pm().threads.setTags(cur.thread.id, ids)).data;
  await loadInbox();
};

let reportTarget: string | null = null;
const openReport = (messageId: string) => {
  reportTarget = messageId;
  $('#report-error').textContent = '';
  $<HTMLDialogElement>('#report').showModal();
};

const onChange = async () => {
  // Something changed for this user: the inbox, the count, and the open thread.
  await Promise.all([loadInbox(), refreshCount()]);
  const cur = state.current;
  if (cur) {
    const { data, meta } = await pm().threads.get(cur.thread.id, { limit: Math.max(20, cur.messages.length) }).catch(() => ({ data: null, meta: null }));
    if (data && meta) {
      const { messages, ...thread } = data;
      state.current = { thread, messages, olderCursor: meta.olderCursor };
      renderThread();
      // The reader has it open: what just arrived is read.
      if (thread.unreadCount > 0) await pm().threads.markRead(thread.id).then(() => Promise.all([loadInbox(), refreshCount()]));
    }
  }
};

const login = async (identifier: string, password: string) => {
  const res = await fetch(`${baseUrl}/api/auth/local`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier, password }) });
  const body = await res.json();
  if (!res.ok) throw new Error(body?.error?.message ?? 'Login failed');
  sessionStorage.setItem('pm-demo', JSON.stringify({ jwt: body.jwt, user: { id: body.user.id, username: body.user.username } }));
  await start();
};

const logout = () => {
  state.stop?.();
  sessionStorage.removeItem('pm-demo');
  window.location.reload();
};

const start = async () => {
  const saved = JSON.parse(sessionStorage.getItem('pm-demo') ?? 'null');
  if (!saved) return;
  state.me = saved.user;
  state.pm = createPrivateMessagesClient({ baseUrl, token: saved.jwt });
  show('#login', false);
  show('#app', true);
  for (const id of ['#compose-open', '#logout']) $(id).hidden = false;
  $('#me').textContent = `Logged in as ${saved.user.username}`;
  await Promise.all([loadTags(), loadInbox(), refreshCount()]);
  setupCompose(pm(), async (threadId) => (await loadInbox(), openThread(threadId)));
  state.stop = startLive(pm(), { pollMs, onChange, refreshCount, renderBadge, logout });
  $('#main').focus();
};

when('#login', 'submit', async (e) => {
  e.preventDefault();
  $('#login-error').textContent = '';
  await login($<HTMLSelectElement>('#login-user').value, $<HTMLInputElement>('#login-password').value).catch((err) => ($('#login-error').textContent = err.message));
});
when('#logout', 'click', logout);
when('#filters', 'input', () => loadInbox());
when('#filters', 'submit', (e) => e.preventDefault());
when('#more', 'click', () => loadInbox(true));
when('#older', 'click', loadOlder);
when('#back', 'click', () => {
  state.current = null;
  show('#thread', false);
  document.body.classList.remove('reading');
  renderThreads();
});
when('#messages', 'scroll', () => {
  if ($('#messages').scrollTop < 40) void loadOlder();
});
when('#reply', 'submit', async (e) => {
  e.preventDefault();
  const cur = state.current;
  const text = $<HTMLTextAreaElement>('#reply-body');
  if (!cur) return;
  $('#reply-error').textContent = '';
  try {
    const { data } = await pm().threads.reply(cur.thread.id, { body: text.value });
    cur.messages.push(data);
    text.value = '';
    renderThread();
    $('#messages').scrollTop = $('#messages').scrollHeight;
    await loadInbox();
  } catch (err) {
    $('#reply-error').textContent = errorText(err);
  }
});
when('#mark-unread', 'click', async () => {
  if (!state.current) return;
  await pm().threads.markUnread(state.current.thread.id);
  await Promise.all([loadInbox(), refreshCount()]);
  $('#live').textContent = 'Marked unread';
});
when('#leave', 'click', async () => {
  if (!state.current || !confirm('Leave this conversation?')) return;
  await pm().threads.leave(state.current.thread.id);
  $('#back').click();
  await loadInbox();
});
when('#block', 'click', async () => {
  const other = state.current?.thread.participants.find((p) => p.id !== state.me?.id);
  if (!other || !confirm(`Block ${other.username}? They will not be able to write to you.`)) return;
  await pm().blocks.create(other.id);
  $('#live').textContent = `${other.username} is blocked`;
});
when('#new-tag', 'submit', async (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('#new-tag-name');
  const tag = await pm().tags.create(input.value).catch((err) => (alert(errorText(err)), null));
  input.value = '';
  if (!tag || !state.current) return;
  await loadTags();
  state.current.thread = (await pm().threads.setTags(state.current.thread.id, [...state.current.thread.tags.map((t) => t.id), tag.data.id])).data;
  renderThread();
  await loadInbox();
});
when('#report-form', 'submit', async (e) => {
  e.preventDefault();
  if (!reportTarget) return;
  try {
    await pm().messages.report(reportTarget, $<HTMLTextAreaElement>('#report-reason').value);
    $<HTMLDialogElement>('#report').close();
    $('#live').textContent = 'Reported to the moderators';
  } catch (err) {
    $('#report-error').textContent = isPrivateMessagesError(err) && err.status === 409 ? 'You already reported this message.' : errorText(err);
  }
});
when('#report-cancel', 'click', () => $<HTMLDialogElement>('#report').close());

void start();
