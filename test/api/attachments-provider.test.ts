import path from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { as, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import type { TestUser } from '../helpers/users';

/*
 * Attachments stored through an upload provider the plugin instantiates itself (here an in-memory
 * one shaped like Strapi's: test/fixtures/private-upload-provider.js): the bytes go to the
 * provider, a member is redirected to a signed URL minted for that request and living ≤ 60 s,
 * anyone else gets a 404 without one being minted, and the purge deletes the objects.
 */

const PROVIDER = path.resolve(__dirname, '../fixtures/private-upload-provider.js');
const ctx = useStrapi({
  env: {
    PM_ATTACHMENTS: JSON.stringify({
      enabled: true,
      storage: { adapter: 'provider', provider: PROVIDER, providerOptions: { signedUrlExpires: 900 }, signedUrlSeconds: 30 },
    }),
  },
});
type State = { objects: Map<string, { body: Buffer; mime: string }>; deleted: string[]; signed: string[] };
const state = () => (globalThis as unknown as { __pmFakeProvider: State }).__pmFakeProvider;

const upload = (user: TestUser, body: Buffer, name: string) =>
  request(ctx.strapi.server.httpServer).post('/api/private-messages/attachments').set('Authorization', `Bearer ${user.jwt}`).attach('files', body, name);
const get = (user: TestUser, url: string) => request(ctx.strapi.server.httpServer).get(url).set('Authorization', `Bearer ${user.jwt}`).redirects(0);

it('stores through the provider, redirects members to a short-lived signed URL, 404s anyone else, deletes with the purge', async () => {
  const [ann, bob, eve] = await ctx.users(3);
  const image = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'green' } }).png().withExif({ IFD0: { Copyright: 'SecretCam' } }).toBuffer();
  const [a] = (await upload(ann, image, 'g.png').expect(201)).body.data;
  // The image and its thumbnail went to the provider, re-encoded without metadata.
  const stored = [...state().objects.values()];
  expect(stored).toHaveLength(2);
  expect(stored.every((o) => !o.body.includes('SecretCam'))).toBe(true);

  const { message } = await startThread(ctx.strapi, ann, [bob], { attachments: [a.id] });
  const before = Date.now() / 1000;
  const res = await get(bob, a.url).expect(302);
  const location = new URL(res.headers.location);
  expect(location.host).toBe('bucket.test');
  const expires = Number(location.searchParams.get('expires'));
  expect(expires).toBeGreaterThanOrEqual(Math.floor(before));
  expect(expires).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 30);
  expect(res.headers['cache-control']).toBe('private, no-store');
  await get(bob, a.thumbnailUrl).expect(302);

  const minted = state().signed.length;
  await get(eve, a.url).expect(404);
  expect(state().signed).toHaveLength(minted);

  await as(ctx.strapi, ann).del(`/messages/${message.id}`).expect(204);
  await ctx.strapi.plugin('private-messages').service('purge').run(new Date(Date.now() + 31 * 86_400_000));
  expect(state().objects.size).toBe(0);
  expect(state().deleted).toHaveLength(2);
});
