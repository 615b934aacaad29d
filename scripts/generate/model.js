'use strict';
/**
 * The generated data set, built in memory as typed arrays before anything is written: users,
 * threads and their members, messages in chronological id order, and each member's read state,
 * computed with the same rules as the plugin's statements so every counter is exact:
 *
 * - a message reaches every member but its author: their `unread_count` and `message_count` grow,
 *   the thread comes (back) to their inbox and `last_activity_at` moves to the message time;
 * - an author has read everything up to their own message (`last_read_message_id`);
 * - a removal hides everything up to the thread's last message (`visible_after_message_id`); a later
 *   message brings the thread back; a member who left gets nothing more and is out of the inbox.
 */

const { assignContexts } = require('./contexts');

/** Small deterministic PRNG (mulberry32), so a given seed always builds the same data set. */
const rng = (seed) => {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
};

const WORDS = (
  'hello order shipped thanks meeting tomorrow project update invoice question weekend trip photos ' +
  'review draft deadline coffee lunch call team schedule report budget idea feedback release bug fix ' +
  'great sounds good see you soon please check attached details agenda notes travel plan party'
).split(' ');

const SUBJECTS = ['', '', 'Order', 'Question', 'Team trip', 'Invoice', 'Meeting', 'Hello', 'Release', 'Support'];

/**
 * @param {object} o users, threads, messages, groupShare, seed, bigGroups, bigGroupSize, heavyThreads
 */
const buildModel = (o) => {
  const r = rng(o.seed ?? 42);
  const U = o.users;
  const T = o.threads;
  const M = Math.max(o.messages, T);
  const bigGroupSize = Math.min(o.bigGroupSize ?? 1000, Math.max(3, Math.floor(U / 2)));
  const bigGroups = Math.min(o.bigGroups ?? 5, Math.max(1, Math.floor(T / 1000)));
  const groups = Math.max(bigGroups, Math.round(T * (o.groupShare ?? 0.1)));
  const heavyThreads = Math.min(o.heavyThreads ?? 5000, Math.floor(T * 0.025) || 1);
  const HEAVY = 0; // user index of the heavy user

  // --- threads and members (user indexes 0..U-1) -------------------------------------------------
  const threadIsGroup = new Uint8Array(T);
  const memberOffsets = new Int32Array(T + 1);
  const memberLists = [];
  let totalMembers = 0;
  const pickOthers = (n, must) => {
    const set = new Set(must);
    while (set.size < n) set.add(r.int(U));
    return [...set];
  };
  for (let t = 0; t < T; t += 1) {
    const isBig = t >= T - bigGroups; // the last threads are the 1,000-member groups
    const isGroup = isBig || t >= T - groups;
    const withHeavy = t < heavyThreads || t === T - 1; // the heavy user is in one big group too
    let members;
    if (isBig) members = pickOthers(bigGroupSize, withHeavy ? [HEAVY] : [1 + r.int(U - 1)]);
    else if (isGroup) members = pickOthers(3 + r.int(18), withHeavy ? [HEAVY] : [1 + r.int(U - 1)]);
    else members = pickOthers(2, withHeavy ? [r.next() < 0.5 ? HEAVY : 1 + r.int(U - 1)] : [1 + r.int(U - 1)]);
    if (withHeavy && !members.includes(HEAVY)) members[1] = HEAVY;
    // Outside the heavy user's threads, the heavy user is never drawn by chance.
    if (!withHeavy) {
      for (let i = 0; i < members.length; i += 1) if (members[i] === HEAVY) members[i] = 1 + ((t + i) % (U - 1));
      members = [...new Set(members)];
      while (members.length < 2) members.push(1 + r.int(U - 1));
    }
    threadIsGroup[t] = isGroup ? 1 : 0;
    memberLists.push(members);
    memberOffsets[t] = totalMembers;
    totalMembers += members.length;
  }
  memberOffsets[T] = totalMembers;
  const memberUser = new Int32Array(totalMembers);
  for (let t = 0; t < T; t += 1) memberUser.set(memberLists[t], memberOffsets[t]);
  memberLists.length = 0;
  // Threads about a listing, the seller in member slot 1 of theirs (contexts.js).
  const contexts = assignContexts({ T, U, heavyThreads, groups, memberOffsets, memberUser }, o);

  // --- messages: a count per thread (at least one), times spread over two years ------------------
  const perThread = new Int32Array(T).fill(1);
  const weights = new Float64Array(T);
  let wsum = 0;
  for (let t = 0; t < T; t += 1) {
    weights[t] = -Math.log(1 - r.next()) * (threadIsGroup[t] ? 2 : 1);
    wsum += weights[t];
  }
  let left = M - T;
  for (let t = 0; t < T && left > 0; t += 1) {
    const n = Math.min(left, Math.floor(((M - T) * weights[t]) / wsum));
    perThread[t] += n;
    left -= n;
  }
  for (let i = 0; left > 0; i += 1, left -= 1) perThread[r.int(T)] += 1;

  const SPAN = 2 * 365 * 24 * 3600; // seconds
  const THREAD_BITS = 2 ** 21;
  if (T >= THREAD_BITS) throw new Error('at most 2,097,151 threads');
  const start = Date.UTC(2024, 0, 1);
  // key = second * 2^21 + thread: one sort gives the global, chronological message order.
  const keys = new Float64Array(M);
  let k = 0;
  for (let t = 0; t < T; t += 1) {
    const first = r.int(SPAN - 3600);
    const n = perThread[t];
    for (let i = 0; i < n; i += 1) {
      const s = i === 0 ? first : first + 1 + r.int(SPAN - first - 1);
      keys[k++] = s * THREAD_BITS + t;
    }
  }
  keys.sort();
  const msgThread = new Int32Array(M);
  const msgTime = new Float64Array(M); // epoch ms
  for (let i = 0; i < M; i += 1) {
    const t = keys[i] % THREAD_BITS;
    msgThread[i] = t;
    msgTime[i] = start + Math.floor(keys[i] / THREAD_BITS) * 1000 + (i % 1000);
  }
  // Times must grow with ids (the same second can repeat): enforce strictly increasing.
  for (let i = 1; i < M; i += 1) if (msgTime[i] <= msgTime[i - 1]) msgTime[i] = msgTime[i - 1] + 1;

  // Messages of each thread, in id order (CSR).
  const msgOffsets = new Int32Array(T + 1);
  for (let i = 0; i < M; i += 1) msgOffsets[msgThread[i] + 1] += 1;
  for (let t = 0; t < T; t += 1) msgOffsets[t + 1] += msgOffsets[t];
  const fill = msgOffsets.slice(0, T);
  const threadMsgs = new Int32Array(M); // message index (id - 1)
  for (let i = 0; i < M; i += 1) threadMsgs[fill[msgThread[i]]++] = i;

  // Authors: the first message is the starter's (member 0); then any member, often the last writer's partner.
  const msgAuthor = new Int32Array(M); // member position within its thread
  for (let t = 0; t < T; t += 1) {
    const n = memberOffsets[t + 1] - memberOffsets[t];
    const active = Math.min(n, 2 + r.int(6)); // a few members do most of the writing in big groups
    for (let j = msgOffsets[t]; j < msgOffsets[t + 1]; j += 1) {
      msgAuthor[threadMsgs[j]] = j === msgOffsets[t] ? 0 : r.next() < 0.9 ? r.int(active) : r.int(n);
    }
  }

  // --- member state -------------------------------------------------------------------------------
  const mLastRead = new Int32Array(totalMembers); // message ids (1-based), 0 = none
  const mVisibleAfter = new Int32Array(totalMembers);
  const mUnread = new Int32Array(totalMembers);
  const mCount = new Int32Array(totalMembers);
  const mInInbox = new Uint8Array(totalMembers);
  // Folders: archived (a fifth of the listed threads, picked by a hash of the membership so the
  // random sequence, and with it every other figure, is the same as before folders existed) and
  // the Sent list (a message of the member's own after their visibility watermark).
  const mArchived = new Uint8Array(totalMembers);
  const mHasSent = new Uint8Array(totalMembers);
  const mRemovedAt = new Float64Array(totalMembers); // 0 = null
  const mLeftAt = new Float64Array(totalMembers);
  const mActivity = new Float64Array(totalMembers);
  for (let t = 0; t < T; t += 1) {
    const m0 = memberOffsets[t];
    const n = memberOffsets[t + 1] - m0;
    const a = msgOffsets[t];
    const b = msgOffsets[t + 1];
    const lastId = threadMsgs[b - 1] + 1;
    const lastTime = msgTime[threadMsgs[b - 1]];
    for (let p = 0; p < n; p += 1) {
      const m = m0 + p;
      const roll = r.next();
      let visibleAfter = 0;
      let leftAt = 0;
      let removedAt = 0;
      if (threadIsGroup[t] && p > 0 && roll < 0.03) leftAt = lastTime + 60000; // left after the last message
      else if (roll < 0.06 && b - a > 1) {
        // Removed: at the end (out of the inbox), or half-way (a later message brought it back).
        const cut = r.next() < 0.7 ? b - 1 : a + r.int(b - a - 1);
        visibleAfter = threadMsgs[cut] + 1;
        removedAt = msgTime[threadMsgs[cut]] + 1000;
      }
      // Read position: everything for most members, otherwise some message (or nothing); never
      // before the member's own last message.
      let lastRead = r.next() < 0.6 ? lastId : r.next() < 0.2 ? 0 : threadMsgs[a + r.int(b - a)] + 1;
      let unread = 0;
      let count = 0;
      let lastDelivered = 0;
      for (let j = a; j < b; j += 1) {
        const id = threadMsgs[j] + 1;
        if (msgAuthor[threadMsgs[j]] === p && id > lastRead) lastRead = id;
      }
      if (visibleAfter > lastRead) lastRead = visibleAfter;
      for (let j = a; j < b; j += 1) {
        const id = threadMsgs[j] + 1;
        if (id <= visibleAfter) continue;
        count += 1;
        lastDelivered = j;
        if (id > lastRead && msgAuthor[threadMsgs[j]] !== p) unread += 1;
        if (msgAuthor[threadMsgs[j]] === p && !leftAt) mHasSent[m] = 1;
      }
      mLastRead[m] = lastRead;
      mVisibleAfter[m] = visibleAfter;
      mCount[m] = count;
      mActivity[m] = lastTime;
      mRemovedAt[m] = removedAt;
      mLeftAt[m] = leftAt;
      if (leftAt) {
        mUnread[m] = 0;
        mInInbox[m] = 0;
      } else {
        mUnread[m] = unread;
        mInInbox[m] = count > 0 ? 1 : 0;
        mArchived[m] = count > 0 && Math.imul(m + 1, 2654435761) >>> 0 < 0x33333333 ? 1 : 0;
      }
      void lastDelivered;
    }
  }

  // --- tags: the heavy user tags a tenth of their threads; a fifth of the others tag a few ----------
  const tags = []; // { user, name }
  const tagLinks = []; // [membershipIndex, tagIndex]
  const userTagBase = new Map();
  const TAG_NAMES = ['work', 'family', 'support', 'orders', 'later'];
  for (let u = 0; u < U; u += 1) {
    if (u !== HEAVY && r.next() > 0.2) continue;
    const n = u === HEAVY ? 5 : 1 + r.int(3);
    userTagBase.set(u, { base: tags.length, n });
    for (let i = 0; i < n; i += 1) tags.push({ user: u, name: TAG_NAMES[i] });
  }
  for (let m = 0; m < totalMembers; m += 1) {
    const info = userTagBase.get(memberUser[m]);
    if (info && r.next() < 0.1) tagLinks.push([m, info.base + r.int(info.n)]);
  }

  // --- blocks: recent, so they change no past counters ---------------------------------------------
  const blocks = new Set();
  const nBlocks = Math.floor(U / 20);
  while (blocks.size < nBlocks) {
    const a = 1 + r.int(U - 1);
    const b = 1 + r.int(U - 1);
    if (a !== b) blocks.add(`${a}:${b}`);
  }

  const text = (i) => {
    let s = '';
    const n = 6 + (i % 30);
    for (let w = 0; w < n; w += 1) s += (w ? ' ' : '') + WORDS[(i * 7 + w * 13 + (i >> 3)) % WORDS.length];
    return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
  };
  const subject = (t) => {
    const s = SUBJECTS[t % SUBJECTS.length];
    return s ? `${s} #${t + 1}` : '';
  };

  return {
    U, T, M, HEAVY, heavyThreads, bigGroups, bigGroupSize, groups,
    threadIsGroup, memberOffsets, memberUser, totalMembers,
    msgThread, msgTime, msgOffsets, threadMsgs, msgAuthor,
    mLastRead, mVisibleAfter, mUnread, mCount, mInInbox, mArchived, mHasSent, mRemovedAt, mLeftAt, mActivity,
    tags, tagLinks, blocks: [...blocks].map((s) => s.split(':').map(Number)),
    text, subject, created: start, contexts,
  };
};

module.exports = { buildModel, rng };
