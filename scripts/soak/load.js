'use strict';
/**
 * The soak's load: `workers` loops, each acting as a random user with a random operation, spread
 * over the live instances, through HTTP as a client would: every send carries an Idempotency-Key
 * and is repeated (same key) after a network error or a 503; other requests are repeated after a
 * 503, GETs after a network error too. Records each operation's latency and final status.
 */
const { randomUUID } = require('node:crypto');

const BASE = '/api/private-messages';
const ATTEMPTS = 4;
/** How long a request may take before the client gives up on it (and repeats it, when it may). */
const TIMEOUT_MS = 60_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** Operations and their weights: about what an active site's members do. */
const MIX = {
  inbox: 18,
  unreadCount: 12,
  view: 10,
  newThread: 7,
  newGroup: 3,
  reply: 22,
  read: 10,
  unread: 4,
  bulk: 4,
  tags: 3,
  remove: 3,
  leave: 1,
  block: 1,
  unblock: 1,
  deleteMessage: 2,
  report: 1,
};
const WEIGHTED = Object.entries(MIX).flatMap(([op, w]) => Array(w).fill(op));

const createStats = () => ({
  ops: new Map(), // op → {latencies: [], statuses: Map}
  fiveHundreds: [], // {op, status, instance, body}
  killedInstanceErrors: 0,
  timeouts: 0,
  networkErrors: [], // outside a kill
  retried503: 0,
  sends: new Map(), // idempotency key → message id once answered
  record(op, ms, status) {
    let s = this.ops.get(op);
    if (!s) this.ops.set(op, (s = { latencies: [], statuses: new Map() }));
    s.latencies.push(ms);
    s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
  },
});

const createLoad = ({ users, instances, stats }) => {
  const threadsOf = new Map(users.map((u) => [u.id, []])); // userId → thread ids (group flag)
  const messagesOf = new Map(users.map((u) => [u.id, []])); // userId → message ids they wrote
  const othersMessages = new Map(users.map((u) => [u.id, []])); // userId → message ids of others
  const blockedBy = new Map(users.map((u) => [u.id, new Set()]));
  const tagOf = new Map();

  const remember = (userId, thread) => {
    const list = threadsOf.get(userId);
    if (!list.some((t) => t.id === thread.id)) list.push(thread);
    if (list.length > 60) list.shift();
  };
  const keep = (list, id) => {
    list.push(id);
    if (list.length > 40) list.shift();
  };

  /** One request with the client's retries; answers {status, body} (status 0: no answer at all). */
  const call = async (user, method, path, body, { key } = {}) => {
    const repeatable = method === 'GET' || Boolean(key);
    for (let attempt = 1; ; attempt += 1) {
      const instance = pick(instances.filter((i) => i.alive)) ?? instances[0];
      try {
        const res = await fetch(`http://127.0.0.1:${instance.port}${BASE}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${user.jwt}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...(key ? { 'idempotency-key': key } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const text = await res.text();
        if (res.status === 503 && attempt < ATTEMPTS) {
          stats.retried503 += 1;
          await sleep(Math.min(Number(res.headers.get('retry-after')) || 1, 1) * 1000);
          continue;
        }
        if (res.status >= 500) stats.fiveHundreds.push({ method, path, status: res.status, instance: instance.name, body: text.slice(0, 300) });
        let json = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          // not JSON
        }
        return { status: res.status, body: json };
      } catch (error) {
        const killed = instance.killedAt !== undefined && Date.now() - instance.killedAt < 15_000;
        // No answer within the timeout: a slow machine, not an error of the server (reported apart).
        if (error?.name === 'TimeoutError') stats.timeouts += 1;
        else if (killed) stats.killedInstanceErrors += 1;
        else stats.networkErrors.push({ method, path, instance: instance.name, error: String(error?.cause?.code ?? error?.message ?? error) });
        if (!repeatable || attempt >= ATTEMPTS) return { status: 0, body: null };
        await sleep(200 * attempt);
      }
    }
  };

  const others = (user, n) => {
    const pool = users.filter((u) => u.id !== user.id);
    const chosen = new Set();
    while (chosen.size < n) chosen.add(pick(pool));
    return [...chosen];
  };

  const send = async (user, path, body, members) => {
    const key = randomUUID();
    const res = await call(user, 'POST', path, { ...body, body: `soak ${key}` }, { key });
    if (res.status === 201) {
      const message = res.body?.data?.message ?? res.body?.data;
      const thread = res.body?.data?.thread;
      stats.sends.set(key, message?.id);
      if (message?.id) keep(messagesOf.get(user.id), message.id);
      for (const m of members ?? []) {
        if (thread) remember(m.id, { id: thread.id, isGroup: thread.isGroup });
        if (message?.id && m.id !== user.id) keep(othersMessages.get(m.id), message.id);
      }
    }
    return res.status;
  };

  const threadOf = (user) => pick(threadsOf.get(user.id));
  const threadAction = async (user, method, action) => {
    const t = threadOf(user);
    if (!t) return null;
    return (await call(user, method, `/threads/${t.id}${action ? `/${action}` : ''}`, method === 'POST' ? {} : undefined)).status;
  };

  const OPERATIONS = {
    inbox: async (user) => {
      const res = await call(user, 'GET', '/threads?limit=25');
      for (const t of res.body?.data ?? []) remember(user.id, { id: t.id, isGroup: t.isGroup });
      return res.status;
    },
    unreadCount: async (user) => (await call(user, 'GET', '/unread-count')).status,
    view: async (user) => {
      const t = threadOf(user);
      if (!t) return null;
      const res = await call(user, 'GET', `/threads/${t.id}`);
      for (const m of res.body?.data?.messages ?? []) if (m.author && m.author.id !== user.id) keep(othersMessages.get(user.id), m.id);
      return res.status;
    },
    newThread: async (user) => {
      const [to] = others(user, 1);
      return send(user, '/threads', { recipients: [{ type: 'user', id: to.id }], subject: 'Soak' }, [user, to]);
    },
    newGroup: async (user) => {
      const to = others(user, 2 + Math.floor(Math.random() * 4));
      return send(user, '/threads', { recipients: to.map((u) => ({ type: 'user', id: u.id })), subject: 'Soak group', skipRefused: true }, [user, ...to]);
    },
    reply: async (user) => {
      const t = threadOf(user);
      if (!t) return null;
      return send(user, `/threads/${t.id}/messages`, {}, []);
    },
    read: async (user) => threadAction(user, 'POST', 'read'),
    unread: async (user) => threadAction(user, 'POST', 'unread'),
    bulk: async (user) => {
      const ids = [...new Set(threadsOf.get(user.id).slice(-5).map((t) => t.id))];
      if (ids.length === 0) return null;
      return (await call(user, 'POST', '/threads/actions', { action: pick(['markRead', 'markUnread', 'markRead']), threadIds: ids })).status;
    },
    tags: async (user) => {
      const t = threadOf(user);
      if (!t) return null;
      if (!tagOf.has(user.id)) {
        const created = await call(user, 'POST', '/tags', { name: 'soak' });
        if (created.status !== 201) return created.status;
        tagOf.set(user.id, created.body.data.id);
      }
      return (await call(user, 'PUT', `/threads/${t.id}/tags`, { tags: Math.random() < 0.5 ? [tagOf.get(user.id)] : [] })).status;
    },
    remove: async (user) => threadAction(user, 'DELETE'),
    leave: async (user) => {
      const t = threadsOf.get(user.id).find((x) => x.isGroup);
      if (!t) return null;
      const status = (await call(user, 'POST', `/threads/${t.id}/leave`, {})).status;
      threadsOf.set(user.id, threadsOf.get(user.id).filter((x) => x.id !== t.id));
      return status;
    },
    block: async (user) => {
      const [target] = others(user, 1);
      const status = (await call(user, 'POST', '/blocks', { userId: target.id })).status;
      if (status < 300) blockedBy.get(user.id).add(target.id);
      return status;
    },
    unblock: async (user) => {
      const blocked = [...blockedBy.get(user.id)];
      if (blocked.length === 0) return null;
      const target = pick(blocked);
      const status = (await call(user, 'DELETE', `/blocks/${target}`)).status;
      if (status < 300) blockedBy.get(user.id).delete(target);
      return status;
    },
    deleteMessage: async (user) => {
      const list = messagesOf.get(user.id);
      if (list.length === 0) return null;
      return (await call(user, 'DELETE', `/messages/${list.splice(Math.floor(Math.random() * list.length), 1)[0]}`)).status;
    },
    report: async (user) => {
      const id = pick(othersMessages.get(user.id));
      if (!id) return null;
      return (await call(user, 'POST', `/messages/${id}/report`, { reason: 'soak' })).status;
    },
  };

  /** Runs `workers` loops until `until` (epoch ms). */
  const run = async (workers, until) => {
    const worker = async () => {
      while (Date.now() < until) {
        const user = pick(users);
        const op = pick(WEIGHTED);
        const started = performance.now();
        const status = await OPERATIONS[op](user);
        if (status !== null) stats.record(op, performance.now() - started, status);
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
  };

  return { run };
};

module.exports = { createLoad, createStats, MIX };
