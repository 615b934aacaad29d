import type { DrupalVariant } from './drupal-schema';

/*
 * A seeded generator of privatemsg data that behaves as privatemsg does (privatemsg.module's send,
 * reply, read, "mark as unread", delete thread / message, privatemsg_filter's Inbox tag,
 * privatemsg_roles' role rows with hidden rows per member), plus the edge cases a real site has:
 * role sends (one not fully expanded), removed and revived threads, archived threads, threads only
 * sent, a message deleted on its own, non-contiguous unread, uid 0 authors (user_cancel_reassign),
 * orphan rows (#846616 and a row for a missing message), duplicate rows (6.x-1.x, no primary key),
 * has_tokens, HTML with script, non-ASCII bodies, D6 integer formats. Every body carries
 * `[m<mid>]`, so a test can read the mid back from what the API serves.
 */
export type Row = { mid: number; thread_id: number; recipient: number; is_new: number; deleted: number; type: string };
export type Message = { mid: number; author: number; subject: string; body: string; format: string | number | null; timestamp: number; has_tokens: number };
export type DrupalData = {
  users: { uid: number; name: string; mail: string }[];
  roles: { rid: number; name: string }[];
  usersRoles: { uid: number; rid: number }[];
  messages: Message[];
  rows: Row[];
  tags: { tag_id: number; tag: string; hidden: number }[];
  tagIndex: { tag_id: number; uid: number; thread_id: number }[];
  blocks: { author: number; recipient: number }[];
  disabled: number[];
  settings: { id: number; type: string; setting: string; value: number }[];
  emailNotify: { user_id: number; email_notify_is_enabled: number }[];
  variables: Record<string, string>;
  /** Uids with no Strapi account (the test leaves them unmatched). */
  unmatchedUids: number[];
};

const mulberry32 = (seed: number) => () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** PHP serialize() of the values the generator stores in `variable`. */
export const phpSerialize = (v: unknown): string => {
  if (v === null) return 'N;';
  if (typeof v === 'boolean') return `b:${v ? 1 : 0};`;
  if (typeof v === 'number') return Number.isInteger(v) ? `i:${v};` : `d:${v};`;
  if (typeof v === 'string') return `s:${Buffer.byteLength(v)}:"${v}";`;
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v as object);
  return `a:${entries.length}:{${entries.map(([k, x]) => `${phpSerialize(typeof k === 'number' ? k : String(k))}${phpSerialize(x)}`).join('')}}`;
};

export const generateDrupal = (
  variant: DrupalVariant,
  {
    seed = 1,
    threads = 24,
    users = 12,
    mailOf = (uid: number) => `User${uid}@Example.org`,
    /** Replies per ordinary thread are drawn from 0 … replies - 1. */
    replies = 4,
    /** Picks a thread's members by sampling instead of shuffling every user (a site of 10,000 users). */
    largeSite = false,
  } = {}
): DrupalData => {
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const d6 = variant.startsWith('d6');
  const roles = variant === 'd6-1' ? [] : [{ rid: 3, name: 'administrator' }, { rid: 4, name: 'Editor' }];
  const data: DrupalData = {
    users: Array.from({ length: users }, (_, i) => ({ uid: i + 2, name: `drupal${i + 2}`, mail: mailOf(i + 2) })),
    roles,
    usersRoles: [],
    messages: [],
    rows: [],
    tags: [{ tag_id: 1, tag: 'Inbox', hidden: 1 }, { tag_id: 2, tag: 'Work', hidden: 0 }, { tag_id: 3, tag: 'work', hidden: 0 }],
    tagIndex: [],
    blocks: [],
    disabled: [],
    settings: [],
    emailNotify: [],
    variables: {},
    unmatchedUids: [users + 2],
  };
  const uids = data.users.map((u) => u.uid);
  const editors = uids.slice(0, 4);
  if (roles.length > 0) data.usersRoles.push(...editors.map((uid) => ({ uid, rid: 4 })));
  const INBOX = 1;
  let mid = 0;
  let clock = 1_500_000_000;
  const formats: (string | number | null)[] = d6 ? [1, 3, 0, 2] : ['filtered_html', 'full_html', 'plain_text', null, 'php_code'];
  const bodies = ['Hello <b>there</b>\n\nSecond paragraph', 'Grüße aus Köln — 東京', '<p>ok</p><script>alert(1)</script>', 'Plain line one\nline two'];
  // Sets instead of scans: the generator also makes databases of a million messages.
  const inboxTagged = new Set<string>();
  const tagInbox = (uid: number, thread: number) => {
    if (inboxTagged.has(`${uid}:${thread}`)) return;
    inboxTagged.add(`${uid}:${thread}`);
    data.tagIndex.push({ tag_id: INBOX, uid, thread_id: thread });
  };
  const rowKeys = new Set<string>();
  const rowsByThread = new Map<number, Row[]>();
  const addRow = (r: Row) => {
    const key = `${r.mid}:${r.recipient}:${r.type}`;
    if (rowKeys.has(key)) return;
    rowKeys.add(key);
    data.rows.push(r);
    const list = rowsByThread.get(r.thread_id);
    if (list) list.push(r);
    else rowsByThread.set(r.thread_id, [r]);
  };

  const post = (author: number, thread: number | null, to: { users: number[]; roles: number[] }, opts: { subject?: string; tokens?: boolean } = {}) => {
    mid += 1;
    clock += 60 + Math.floor(rand() * 3600);
    const threadId = thread ?? mid;
    const body = `${pick(bodies)} [m${mid}]${opts.tokens ? ' [user:name]' : ''}`;
    data.messages.push({ mid, author, subject: opts.subject ?? `Thread ${threadId}`, body, format: pick(formats), timestamp: clock, has_tokens: opts.tokens ? 1 : 0 });
    addRow({ mid, thread_id: threadId, recipient: author, is_new: 0, deleted: 0, type: 'user' });
    for (const uid of to.users) {
      if (uid === author) continue;
      addRow({ mid, thread_id: threadId, recipient: uid, is_new: 1, deleted: 0, type: 'user' });
      tagInbox(uid, threadId);
    }
    for (const rid of to.roles) {
      addRow({ mid, thread_id: threadId, recipient: rid, is_new: 0, deleted: 0, type: 'role' });
      for (const uid of data.usersRoles.filter((ur) => ur.rid === rid).map((ur) => ur.uid)) {
        if (uid === author || to.users.includes(uid)) continue;
        addRow({ mid, thread_id: threadId, recipient: uid, is_new: 1, deleted: 0, type: 'hidden' });
        tagInbox(uid, threadId);
      }
    }
    return threadId;
  };
  /** privatemsg's reply: to every participant of the thread (roles expanded again). */
  const reply = (author: number, thread: number) => {
    const participants = rowsByThread.get(thread) ?? [];
    const users = [...new Set(participants.filter((r) => r.type === 'user').map((r) => r.recipient))];
    const roleIds = [...new Set(participants.filter((r) => r.type === 'role').map((r) => r.recipient))];
    return post(author, thread, { users, roles: roleIds });
  };
  const rowsOf = (uid: number, thread: number) => (rowsByThread.get(thread) ?? []).filter((r) => r.recipient === uid && r.type !== 'role');
  const read = (uid: number, thread: number) => rowsOf(uid, thread).forEach((r) => (r.is_new = 0));
  const markUnread = (uid: number, thread: number) => rowsOf(uid, thread).forEach((r) => (r.is_new = 1));
  const removeThread = (uid: number, thread: number) => {
    clock += 10;
    rowsOf(uid, thread).filter((r) => r.deleted === 0).forEach((r) => (r.deleted = clock));
  };

  const sampleOthers = (author: number, count: number) => {
    const picked = new Set<number>();
    while (picked.size < Math.min(count, uids.length - 1)) {
      const uid = pick(uids);
      if (uid !== author) picked.add(uid);
    }
    return [...picked];
  };

  // Ordinary threads: 1:1 and groups, some replies, some read.
  for (let t = 0; t < threads; t += 1) {
    const author = pick(uids);
    const others = largeSite ? sampleOthers(author, 1 + Math.floor(rand() * 3)) : uids.filter((u) => u !== author).sort(() => rand() - 0.5).slice(0, 1 + Math.floor(rand() * 3));
    const thread = post(author, null, { users: others, roles: [] });
    for (let n = Math.floor(rand() * replies); n > 0; n -= 1) reply(pick([author, ...others]), thread);
    for (const uid of [author, ...others]) if (rand() < 0.5) read(uid, thread);
  }
  const [a, b, c, dd] = uids;
  // Removed, and revived by a later reply (the member sees only what came after).
  const removed = post(a, null, { users: [b, c], roles: [] });
  reply(b, removed);
  removeThread(c, removed);
  const revived = post(a, null, { users: [b, c], roles: [] });
  removeThread(b, revived);
  reply(c, revived);
  // Archived (Inbox tag taken off) and only sent (never tagged Inbox).
  const archived = post(b, null, { users: [a], roles: [] });
  read(a, archived);
  data.tagIndex = data.tagIndex.filter((t) => !(t.tag_id === INBOX && t.uid === a && t.thread_id === archived));
  post(dd, null, { users: [c], roles: [] });
  // Non-contiguous unread: "mark as unread", then the newest read again, own messages included.
  const patchy = post(c, null, { users: [dd], roles: [] });
  reply(dd, patchy);
  reply(c, patchy);
  markUnread(dd, patchy);
  data.rows.find((r) => r.thread_id === patchy && r.recipient === dd && r.mid === mid)!.is_new = 0;
  // A single message deleted in the middle (not representable: reported as partialDeletions).
  const partial = post(a, null, { users: [dd], roles: [] });
  reply(dd, partial);
  reply(a, partial);
  data.rows.find((r) => r.thread_id === partial && r.recipient === dd && r.mid === partial + 1)!.deleted = clock;
  // Tokens; tags (two names that differ by case).
  const tagged = post(b, null, { users: [c], roles: [] }, { tokens: !d6 });
  data.tagIndex.push({ tag_id: 2, uid: c, thread_id: tagged }, { tag_id: 3, uid: c, thread_id: removed }, { tag_id: 2, uid: b, thread_id: tagged });
  if (roles.length > 0) {
    // A role send: hidden rows per editor; the starter replies to everyone.
    const broadcast = post(uids[6], null, { users: [], roles: [4] }, { subject: 'To all editors' });
    reply(uids[6], broadcast);
    read(editors[0], broadcast);
    // A role send whose expansion never finished (cron): one editor has no row.
    const unfinished = post(uids[7], null, { users: [uids[8]], roles: [4] }, { subject: 'Half delivered' });
    data.rows = data.rows.filter((r) => !(r.thread_id === unfinished && r.recipient === editors[3] && r.type === 'hidden'));
  }
  // An unmatched user (no Strapi account) in a thread, writing too.
  const ghost = data.unmatchedUids[0];
  data.users.push({ uid: ghost, name: 'ghost', mail: 'ghost@nowhere.example' });
  const ghostly = post(ghost, null, { users: [a], roles: [] });
  reply(a, ghostly);
  // A cancelled account whose content was reassigned to uid 0; its rows stay (#846616).
  const cancelled = uids[uids.length - 1];
  const legacy = post(cancelled, null, { users: [b], roles: [] });
  data.messages.filter((m) => m.author === cancelled).forEach((m) => (m.author = 0));
  data.users = data.users.filter((u) => u.uid !== cancelled);
  // A row for a message that no longer exists.
  data.rows.push({ mid: 99_999, thread_id: legacy, recipient: b, is_new: 1, deleted: 0, type: 'user' });
  // 6.x-1.x has no primary key: a duplicate row.
  if (variant === 'd6-1') data.rows.push({ ...data.rows.find((r) => r.thread_id === legacy && r.recipient === b)! });

  // A reply pm_block_user stopped: b had blocked c, so b has no row for it (never delivered).
  const heldBack = post(a, null, { users: [b, c], roles: [] }, { subject: 'Held back' });
  reply(c, heldBack);
  const heldMid = mid;
  data.rows = data.rows.filter((r) => !(r.mid === heldMid && r.recipient === b));
  reply(a, heldBack);
  // Blocks, disabled messaging, notification levels, settings.
  data.blocks.push({ author: c, recipient: b }, { author: ghost, recipient: a });
  if (variant === 'd7-2' || variant === 'd6-2') {
    data.settings.push(
      { id: dd, type: 'user', setting: 'disabled', value: 1 },
      { id: a, type: 'user', setting: 'email_notify_level', value: 4 },
      { id: b, type: 'user', setting: 'email_notify_level', value: 0 },
      { id: 4, type: 'role', setting: 'email_notify_level', value: 8 },
      { id: 0, type: 'global', setting: 'email_notify_level', value: 12 }
    );
  } else {
    data.disabled.push(dd);
    data.emailNotify.push({ user_id: a, email_notify_is_enabled: 1 }, { user_id: b, email_notify_is_enabled: 0 });
    data.variables.pm_email_notify_default = phpSerialize(false);
  }
  Object.assign(data.variables, {
    privatemsg_filter_inbox_tag: phpSerialize(String(INBOX)),
    privatemsg_flush_enabled: phpSerialize(1),
    privatemsg_flush_days: phpSerialize('45'),
    privatemsg_limits_recipients_enabled: phpSerialize(true),
    privatemsg_limits_recipients_amount: phpSerialize(20),
    pm_block_user_actions: phpSerialize([
      { author: 2, recipient: 4, action: 0, enabled: 1 },
      { author: 2, recipient: 3, action: 1, enabled: 1 },
    ]),
  });
  if (variant === 'd6-1') {
    // privatemsg_filter 6.x-1.x has no Inbox tag: every live thread is in the inbox.
    data.tags = data.tags.filter((t) => t.tag_id !== INBOX);
    data.tagIndex = data.tagIndex.filter((t) => t.tag_id !== INBOX);
    delete data.variables.privatemsg_filter_inbox_tag;
  }
  return data;
};
