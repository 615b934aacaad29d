import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrivateMessagesClient, createSseParser, ROUTES, STREAM_EVENTS } from '../../client/src';
import type { StreamEvent } from '../../client/src';
import { contentApiRoutes } from '../../server/src/contract/routes';
import { STREAM_EVENT_NAMES } from '../../server/src/contract/stream';
import { waitFor } from '../helpers/wait';

/*
 * The client's stream() against a tiny SSE server in this test, speaking the contract: the JWT in
 * the Authorization header, events with ids, heartbeats, Last-Event-ID on reconnect, resync and
 * reauth. (test/api/client.test.ts runs the client against a booted Strapi.)
 */

type Connection = { auth?: string; lastEventId?: string; headers: http.IncomingHttpHeaders; res: http.ServerResponse };

const sseServer = async (onConnect: (c: Connection, n: number) => void) => {
  const connections: Connection[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/private-messages/stream') {
      res.writeHead(404).end();
      return;
    }
    const c = { auth: req.headers.authorization, lastEventId: url.searchParams.get('lastEventId') ?? undefined, headers: req.headers, res };
    connections.push(c);
    if (c.auth !== 'Bearer good' && c.auth !== 'Bearer fresh') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: null, error: { status: 401, name: 'UnauthorizedError', message: 'Missing or invalid credentials', details: {} } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('retry: 20\n\n');
    onConnect(c, connections.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    for (const c of connections) c.res.destroy();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { baseUrl, connections, close };
};

describe('client routes', () => {
  it('has the method and path of every route of the table, and nothing else', () => {
    const table = contentApiRoutes.map((r) => [r.operation, [r.method, r.path]]);
    expect(Object.entries(ROUTES).sort()).toEqual(table.sort());
  });

  it('listens to every event name of the contract', () => {
    expect(STREAM_EVENTS).toEqual(STREAM_EVENT_NAMES);
  });
});

describe('the SSE parser', () => {
  it('reads events split anywhere, CRLF and comments included', () => {
    const seen: unknown[] = [];
    const retries: number[] = [];
    const parser = createSseParser((e) => seen.push(e), (ms) => retries.push(ms));
    const text = ': heartbeat\r\nretry: 3000\r\nid: 7\r\nevent: unread-count\r\ndata: {"threads":1,\r\ndata: "messages":2}\r\n\r\nid: 8\nevent: resync\ndata: {}\n\n';
    for (let i = 0; i < text.length; i += 3) parser.push(text.slice(i, i + 3));
    expect(seen).toEqual([
      { event: 'unread-count', data: '{"threads":1,\n"messages":2}', id: '7' },
      { event: 'resync', data: '{}', id: '8' },
    ]);
    expect(retries).toEqual([3000]);
  });
});

describe('client.stream()', () => {
  it('sends the JWT, hands over typed events and reconnects with ?lastEventId= after the server ends the stream', async () => {
    const server = await sseServer((c, n) => {
      if (n === 1) {
        c.res.write(': heartbeat\n\n');
        c.res.write('id: 1\nevent: message.created\ndata: {"threadId":"t1","messageId":"m1"}\n\n');
        c.res.write('id: 2\nevent: unread-count\ndata: {"threads":1,"messages":1}\n\n');
        setTimeout(() => c.res.end(), 30);
      } else {
        c.res.write('id: 3\nevent: thread.updated\ndata: {"threadId":"t1"}\n\n');
      }
    });
    const events: StreamEvent[] = [];
    const pm = createPrivateMessagesClient({ baseUrl: server.baseUrl, token: 'good' });
    const handle = pm.stream({ onEvent: (e) => events.push(e), reconnectDelayMs: 10 });
    try {
      expect(await waitFor(() => events.length === 3, 5000, 10)).toBe(true);
      expect(events).toEqual([
        { event: 'message.created', id: '1', data: { threadId: 't1', messageId: 'm1' } },
        { event: 'unread-count', id: '2', data: { threads: 1, messages: 1 } },
        { event: 'thread.updated', id: '3', data: { threadId: 't1' } },
      ]);
      expect(server.connections.map((c) => [c.auth, c.lastEventId])).toEqual([
        ['Bearer good', undefined],
        ['Bearer good', '2'],
      ]);
      expect(handle.lastEventId).toBe('3');
      // Only what Strapi's default CORS configuration lets a page on another origin send.
      for (const c of server.connections) {
        expect(c.headers['cache-control']).toBeUndefined();
        expect(c.headers['last-event-id']).toBeUndefined();
      }
    } finally {
      handle.close();
      await handle.done;
      await server.close();
    }
  });

  it('surfaces resync, and on reauth reconnects with a fresh token from getToken', async () => {
    const server = await sseServer((c, n) => {
      if (n === 1) {
        c.res.write('id: 5\nevent: resync\ndata: {}\n\n');
        c.res.write('id: 6\nevent: reauth\ndata: {}\n\n');
      } else c.res.write('id: 7\nevent: unread-count\ndata: {"threads":0,"messages":0}\n\n');
    });
    let token = 'good';
    const events: string[] = [];
    const pm = createPrivateMessagesClient({ baseUrl: server.baseUrl, getToken: () => token });
    const handle = pm.stream({
      onEvent: (e) => {
        events.push(e.event);
        if (e.event === 'reauth') token = 'fresh';
      },
    });
    try {
      expect(await waitFor(() => events.length === 3, 5000, 10)).toBe(true);
      expect(events).toEqual(['resync', 'reauth', 'unread-count']);
      expect(server.connections.map((c) => [c.auth, c.lastEventId])).toEqual([
        ['Bearer good', undefined],
        ['Bearer fresh', '6'],
      ]);
    } finally {
      handle.close();
      await handle.done;
      await server.close();
    }
  });

  it('stops on reauth with a fixed token, and on a refused credential, without retrying', async () => {
    const server = await sseServer((c) => c.res.write('id: 1\nevent: reauth\ndata: {}\n\n'));
    const closed = jest.fn();
    const good = createPrivateMessagesClient({ baseUrl: server.baseUrl, token: 'good' }).stream({ onEvent: () => {}, onClose: closed });
    await good.done;
    expect(closed).toHaveBeenCalledTimes(1);

    const errors: unknown[] = [];
    const bad = createPrivateMessagesClient({ baseUrl: server.baseUrl, token: 'expired' }).stream({
      onEvent: () => {},
      onError: (error, info) => errors.push({ status: (error as { status: number }).status, code: (error as Error).name, ...info }),
    });
    await bad.done;
    expect(errors).toEqual([{ status: 401, code: 'UnauthorizedError', willReconnect: false, delayMs: 0 }]);
    expect(server.connections).toHaveLength(2);
    await server.close();
  });

  it('retries with backoff while the server is unreachable or failing', async () => {
    let fail = 2;
    const server = http.createServer((req, res) => {
      if (fail-- > 0) return void res.writeHead(503).end('busy');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: 1\nevent: resync\ndata: {}\n\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const delays: number[] = [];
    const events: string[] = [];
    const handle = createPrivateMessagesClient({ baseUrl, token: 'x' }).stream({
      onEvent: (e) => events.push(e.event),
      onError: (_e, info) => delays.push(info.delayMs),
      reconnectDelayMs: 10,
    });
    expect(await waitFor(() => events.length === 1, 5000, 10)).toBe(true);
    expect(delays).toEqual([10, 20]);
    handle.close();
    await handle.done;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
});

describe('client.stream() and token renewal', () => {
  it('asks getToken for a renewed token when the stream answers 401, and connects with it', async () => {
    const server = await sseServer((c) => c.res.write('id: 1\nevent: unread-count\ndata: {"threads":0,"messages":0}\n\n'));
    const asked: boolean[] = [];
    const events: string[] = [];
    const pm = createPrivateMessagesClient({ baseUrl: server.baseUrl, getToken: ({ refresh }) => (asked.push(refresh), refresh ? 'fresh' : 'expired') });
    const handle = pm.stream({ onEvent: (e) => events.push(e.event) });
    try {
      await waitFor(() => events.length === 1);
      expect(asked).toEqual([false, true]);
      expect(server.connections.map((c) => c.auth)).toEqual(['Bearer expired', 'Bearer fresh']);
    } finally {
      handle.close();
      await handle.done;
      await server.close();
    }
  });
});
