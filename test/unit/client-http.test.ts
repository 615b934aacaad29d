import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrivateMessagesClient, isPrivateMessagesError, PrivateMessagesError } from '../../client/src';

/*
 * The client's requests against a tiny HTTP server in this test: the error it throws always carries
 * the HTTP status (whatever the body claims), a 2xx that is not JSON is its typed error too, and a
 * 401 asks getToken for a renewed token and retries once.
 */

type Seen = { method?: string; url?: string; auth?: string };

const server = async (answer: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void) => {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
    req.resume();
    req.on('end', () => answer(req, res, seen.length));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return { baseUrl, seen, close: () => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve()))) };
};

const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const caught = async (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e);

describe('client errors', () => {
  it('carry the HTTP status, not the one an error body claims', async () => {
    const s = await server((_req, res) => json(res, 403, { data: null, error: { status: 200, name: 'ForbiddenError', message: 'Nope', details: { code: 'rate_limited' } } }));
    const error = await caught(createPrivateMessagesClient({ baseUrl: s.baseUrl, token: 't' }).unreadCount());
    expect(isPrivateMessagesError(error)).toBe(true);
    expect(error).toMatchObject({ status: 403, name: 'ForbiddenError', message: 'Nope', code: 'rate_limited' });
    await s.close();
  });

  it('are typed errors with the HTTP status when a 2xx answer is not JSON', async () => {
    const s = await server((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy page</html>'));
    const error = await caught(createPrivateMessagesClient({ baseUrl: s.baseUrl, token: 't' }).threads.list());
    expect(error).toBeInstanceOf(PrivateMessagesError);
    expect(error).toMatchObject({ status: 200, name: 'InvalidResponseError' });
    await s.close();
  });

  it('are typed errors with the HTTP status when an error answer is not JSON', async () => {
    const s = await server((_req, res) => res.writeHead(502, 'Bad Gateway').end('<html>down</html>'));
    const error = await caught(createPrivateMessagesClient({ baseUrl: s.baseUrl, token: 't' }).threads.list());
    expect(error).toMatchObject({ status: 502, name: 'HttpError', message: 'Bad Gateway' });
    await s.close();
  });
});

describe('token renewal', () => {
  const unauthorized = { data: null, error: { status: 401, name: 'UnauthorizedError', message: 'Missing or invalid credentials', details: {} } };

  it('asks getToken for a renewed token after a 401 and retries once with it', async () => {
    const s = await server((req, res) =>
      req.headers.authorization === 'Bearer fresh' ? json(res, 201, { data: { thread: { id: 't1' } } }) : json(res, 401, unauthorized)
    );
    let token = 'stale';
    const calls: boolean[] = [];
    const pm = createPrivateMessagesClient({
      baseUrl: s.baseUrl,
      getToken: ({ refresh }) => (calls.push(refresh), refresh ? (token = 'fresh') : token),
    });
    const answer = await pm.threads.create({ recipients: [{ type: 'user', id: 2 }], body: 'hi' });
    expect(answer).toEqual({ data: { thread: { id: 't1' } } });
    expect(calls).toEqual([false, true]);
    expect(s.seen.map((r) => [r.method, r.auth])).toEqual([
      ['POST', 'Bearer stale'],
      ['POST', 'Bearer fresh'],
    ]);
    await s.close();
  });

  it('retries at most once, and not at all when the token did not change or is fixed', async () => {
    const s = await server((_req, res) => json(res, 401, unauthorized));
    let n = 0;
    const renewing = createPrivateMessagesClient({ baseUrl: s.baseUrl, getToken: () => `t${n++}` });
    expect(await caught(renewing.unreadCount())).toMatchObject({ status: 401 });
    expect(s.seen).toHaveLength(2);

    const same = createPrivateMessagesClient({ baseUrl: s.baseUrl, getToken: () => 'same' });
    expect(await caught(same.unreadCount())).toMatchObject({ status: 401 });
    expect(s.seen).toHaveLength(3);

    const fixed = createPrivateMessagesClient({ baseUrl: s.baseUrl, token: 'fixed' });
    expect(await caught(fixed.unreadCount())).toMatchObject({ status: 401 });
    expect(s.seen).toHaveLength(4);
    await s.close();
  });
});

describe('client retries after a 503', () => {
  const unavailable = (code: string) => ({ data: null, error: { status: 503, name: 'ServiceUnavailableError', message: 'Busy', details: { code, retryAfter: 1 } } });
  const answer503Once = (code: string) =>
    server((req, res, n) => (n === 1 ? res.setHeader('Retry-After', '0') && json(res, 503, unavailable(code)) : json(res, req.method === 'POST' ? 201 : 200, { data: { ok: true } })));

  it('sends a send again with the same Idempotency-Key after outcome_unknown, which only the key makes safe', async () => {
    const s = await answer503Once('outcome_unknown');
    const answer = await createPrivateMessagesClient({ baseUrl: s.baseUrl, token: 't' }).threads.reply('t1', { body: 'hi' });
    expect(answer).toEqual({ data: { ok: true } });
    expect(s.seen).toHaveLength(2);
    const keys = s.seen.map((r) => new URL(r.url!, s.baseUrl).searchParams.get('idempotencyKey'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    await s.close();
  });

  it('does not repeat another change after outcome_unknown: it fails with that code', async () => {
    const s = await answer503Once('outcome_unknown');
    const error = await caught(createPrivateMessagesClient({ baseUrl: s.baseUrl, token: 't' }).threads.markRead('t1'));
    expect(error).toMatchObject({ status: 503, name: 'ServiceUnavailableError', code: 'outcome_unknown', retryAfter: 0 });
    expect(s.seen).toHaveLength(1);
    await s.close();
  });

  it('repeats any request after unavailable (nothing was changed)', async () => {
    const s = await answer503Once('unavailable');
    await createPrivateMessagesClient({ baseUrl: s.baseUrl, token: 't' }).threads.markRead('t1');
    expect(s.seen.map((r) => r.method)).toEqual(['POST', 'POST']);
    await s.close();
  });
});
