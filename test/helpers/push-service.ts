import { createECDH, createHmac, createDecipheriv, createPublicKey, randomBytes, verify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https, { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/*
 * A push service (RFC 8030) for tests, over HTTPS with a self-signed certificate, and the
 * browsers that subscribe to it: each browser holds its own P-256 key pair and auth secret, as a
 * real one does, and decrypts what it is sent (RFC 8291, aes128gcm, RFC 8188). The VAPID
 * Authorization header (RFC 8292) is checked: an ES256 JWT for the endpoint's origin, signed by
 * the key it names.
 */

const b64u = (b: Buffer) => b.toString('base64url');
const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

export type Browser = {
  id: string;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
  /** What it received, decrypted: the plaintext, and parsed when it is JSON. */
  received: { payload: any; text: string; vapidKey: string; ttl: string | undefined }[];
  /** The next answers of the push service for this browser (e.g. [500], [410]); then 201. */
  answers: number[];
};

/** RFC 8291 §3.4 / RFC 8188: the plaintext of one aes128gcm push message body. */
export const decryptPush = (body: Buffer, uaPrivate: ReturnType<typeof createECDH>, authSecret: Buffer) => {
  const salt = body.subarray(0, 16);
  const idLength = body.readUInt8(20);
  const asPublic = body.subarray(21, 21 + idLength);
  const records = body.subarray(21 + idLength);
  const uaPublic = uaPrivate.getPublicKey();
  const ecdhSecret = uaPrivate.computeSecret(asPublic);
  const prkKey = hmac(authSecret, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic, Buffer.from([1])]);
  const ikm = hmac(prkKey, keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // The last record: content, then the delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 2) throw new Error('bad padding delimiter');
  return padded.subarray(0, end).toString('utf8');
};

/** Checks `vapid t=<jwt>, k=<key>`: ES256 over the JWT by `k`, audience the service's origin, not expired. */
const checkVapid = (header: string | undefined, origin: string) => {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) throw new Error(`no VAPID authorization: ${header}`);
  const [head, claims, signature] = m[1].split('.');
  const raw = Buffer.from(m[2], 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33, 65)) }, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${head}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!ok) throw new Error('VAPID signature does not verify');
  const payload = JSON.parse(Buffer.from(claims, 'base64url').toString());
  if (payload.aud !== origin) throw new Error(`VAPID audience ${payload.aud}, expected ${origin}`);
  if (payload.exp * 1000 < Date.now()) throw new Error('VAPID token expired');
  return m[2];
};

export const startPushService = async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'push-service-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1'], { stdio: 'ignore' });
  const browsers = new Map<string, Browser & { ecdh: ReturnType<typeof createECDH>; auth: Buffer }>();
  const errors: string[] = [];
  let origin = '';
  const server: Server = createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const browser = browsers.get((req.url ?? '').replace('/push/', ''));
      if (!browser) {
        res.writeHead(404).end();
        return;
      }
      const answer = browser.answers.shift() ?? 201;
      if (answer !== 201) {
        res.writeHead(answer).end();
        return;
      }
      try {
        if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error(`content-encoding ${req.headers['content-encoding']}`);
        const vapidKey = checkVapid(req.headers.authorization, origin);
        const text = decryptPush(Buffer.concat(chunks), browser.ecdh, browser.auth);
        let payload: unknown = text;
        try {
          payload = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        browser.received.push({ payload, text, vapidKey, ttl: req.headers.ttl as string | undefined });
        res.writeHead(201).end();
      } catch (error) {
        errors.push((error as Error).message);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The push service's certificate is our own: this process trusts it (requests without an agent
  // of their own, as web-push's, go through the global agent), and instances it starts are given it.
  const cert = readFileSync(path.join(dir, 'cert.pem'));
  const previousCa = https.globalAgent.options.ca;
  https.globalAgent.options.ca = cert;
  return {
    origin,
    /** The environment a second instance needs to trust this push service. */
    env: { NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') },
    /** Problems found in what was sent (bad encryption, bad VAPID): a test expects none. */
    errors,
    /** A browser that subscribes with its own keys. */
    browser(): Browser {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = b64u(randomBytes(9));
      const b = {
        id,
        ecdh,
        auth,
        subscription: { endpoint: `${origin}/push/${id}`, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } },
        received: [],
        answers: [],
      };
      browsers.set(id, b);
      return b;
    },
    async stop() {
      https.globalAgent.options.ca = previousCa;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
