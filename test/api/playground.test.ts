import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import request from 'supertest';
import { bootStrapi, prepareDatabase, stopStrapi, type TestStrapi } from '../helpers/strapi';
import { ROOT } from '../helpers/paths';
import { waitFor } from '../helpers/wait';

/*
 * The playground as people run it: the demo inbox at the address they type, logins when it runs
 * in production on localhost (plain HTTP) and behind a TLS proxy, and `npm run playground` that
 * stops the Strapi it started when it is stopped.
 */

const PASSWORD = 'Playground-pass-123';
const refreshCookie = (res: request.Response) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('strapi_up_refresh='));

describe('the playground in production, on localhost over plain HTTP', () => {
  let strapi: TestStrapi;
  beforeAll(async () => {
    strapi = await bootStrapi({ NODE_ENV: 'production' });
  });
  afterAll(() => stopStrapi(strapi));

  it('serves the demo at /messages/ and sends /messages there, so its relative links resolve', async () => {
    const http = request(strapi.server.httpServer);
    const page = await http.get('/messages/').expect(200);
    expect(page.text).toContain('href="./inbox.css"');
    await http.get('/messages/inbox.css').expect(200);

    const bare = await http.get('/messages').expect(301);
    expect(bare.headers.location).toBe('/messages/');
    expect((await http.get('/messages?poll=500').expect(301)).headers.location).toBe('/messages/?poll=500');
    expect((await http.head('/messages').expect(301)).headers.location).toBe('/messages/');
    // Only folders with a page: the API and missing paths are untouched.
    await http.get('/messages/nothing-here').expect(404);
    await http.get('/api/private-messages/unread-count').expect(403);
  });

  it('registers and logs users in with refresh-mode sessions: the refresh cookie is not secure over HTTP', async () => {
    const http = request(strapi.server.httpServer);
    const registered = await http
      .post('/api/auth/local/register')
      .send({ username: 'prod_ann', email: 'prod_ann@example.test', password: PASSWORD })
      .expect(200);
    expect(registered.body.jwt).toEqual(expect.any(String));
    const login = await http.post('/api/auth/local').send({ identifier: 'prod_ann', password: PASSWORD }).expect(200);
    const cookie = refreshCookie(login);
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).not.toMatch(/;\s*secure/i);
    await http.get('/api/users/me').set('Authorization', `Bearer ${login.body.jwt}`).expect(200);
  });
});

describe('the playground in production behind a proxy that terminates TLS (PUBLIC_URL https, PROXY=true)', () => {
  let strapi: TestStrapi;
  beforeAll(async () => {
    strapi = await bootStrapi({ NODE_ENV: 'production', PUBLIC_URL: 'https://messages.example.test', PROXY: 'true' });
  });
  afterAll(async () => {
    await stopStrapi(strapi);
    delete process.env.PUBLIC_URL;
    delete process.env.PROXY;
  });

  it('sends the refresh cookie secure to a client the proxy reached over HTTPS', async () => {
    const http = request(strapi.server.httpServer);
    await http
      .post('/api/auth/local/register')
      .set('X-Forwarded-Proto', 'https')
      .send({ username: 'tls_bob', email: 'tls_bob@example.test', password: PASSWORD })
      .expect(200);
    const login = await http
      .post('/api/auth/local')
      .set('X-Forwarded-Proto', 'https')
      .send({ identifier: 'tls_bob', password: PASSWORD })
      .expect(200);
    expect(refreshCookie(login)).toMatch(/;\s*secure/i);
  });
});

/** Every process below `pid` (Linux's ps). */
const descendants = (pid: number): number[] => {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const out: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of rows) {
      if (ppid === parent) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

/** Fails the test, saying what never happened, unless `check` holds within `ms` (helpers/wait). */
const waitOrFail = async (what: string, check: () => Promise<boolean> | boolean, ms: number) => {
  if (!(await waitFor(check, ms, 250))) throw new Error(`timed out waiting for ${what}`);
};

describe('npm run playground', () => {
  it('honours PORT, and a SIGTERM to npm stops the Strapi server it started', async () => {
    const [port, smtpPort] = [await freePort(), await freePort()];
    const dropDatabase = await prepareDatabase('playground-script');
    const output: Buffer[] = [];
    // Its own process group, as a terminal's job: the signal goes to npm alone, as `kill <pid>` sends it.
    const npm = spawn('npm', ['run', 'playground', '--', '--no-build-admin'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // `strapi start` on the app the suite compiled: `strapi develop` would compile it again into
        // playground/dist while other test files boot from there.
        NODE_ENV: 'production',
        PLAYGROUND_BUILD: 'false',
        HOST: '127.0.0.1',
        PORT: String(port),
        SMTP_PORT: String(smtpPort),
        LOG_LEVEL: 'warn',
        CRON_ENABLED: 'false',
        STRAPI_TELEMETRY_DISABLED: 'true',
      },
    });
    npm.stdout!.on('data', (d) => output.push(d));
    npm.stderr!.on('data', (d) => output.push(d));
    let tree: number[] = [];
    try {
      await waitOrFail(
        `the playground on port ${port}`,
        async () => (await fetch(`http://127.0.0.1:${port}/_health`).catch(() => null))?.status === 204,
        360_000,
      );
      tree = descendants(npm.pid!);
      // npm, its shell, this script and Strapi at least.
      expect(tree.length).toBeGreaterThanOrEqual(3);

      process.kill(npm.pid!, 'SIGTERM');
      await waitOrFail('every process of the playground to end', () => [npm.pid!, ...tree].every((p) => !alive(p)), 30_000);
      await expect(fetch(`http://127.0.0.1:${port}/_health`)).rejects.toThrow();
    } catch (error) {
      (error as Error).message += `\n--- the playground's output ---\n${Buffer.concat(output).toString().slice(-3000)}`;
      throw error;
    } finally {
      for (const pid of [npm.pid!, ...tree]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await dropDatabase();
    }
  }, 480_000);
});

