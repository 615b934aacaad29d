import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { as } from '../helpers/api';
import { createSuperAdmin, type TestAdmin } from '../helpers/admin';
import type { DrupalSource } from '../helpers/drupal-source';
import { createSmallSite } from '../helpers/drupal-small-site';
import { apiThreadMids, countRows, drupalThreadMids, drupalUnread, emptyPluginTables, threadDocumentId } from '../helpers/drupal-expect';
import { useStrapi } from '../helpers/setup';
import { useSmtp } from '../helpers/smtp';
import { waitFor } from '../helpers/wait';
import { PASSWORD, roleByType, type TestUser } from '../helpers/users';

/*
 * Who receives a Drupal user's private history: `import-drupal` matches only accounts the site
 * vouches for, whatever an attacker registers (a Drupal username, or a Drupal user's address on a
 * site that does not confirm emails), on the first run and on later ones; and an account the admin
 * does vouch for, made after the first run, gets its history on the next.
 */
const { smtp, env } = useSmtp();
const ctx = useStrapi({ env });
const importer = () => ctx.strapi.plugin('private-messages').service('drupal-import');
let admin: TestAdmin;
const sources: DrupalSource[] = [];

beforeAll(async () => {
  admin = await createSuperAdmin(ctx.strapi);
});
const site = async (names: string[], threads: { author: number; to: number[]; replies?: number[] }[]) => {
  const created = await createSmallSite(names, threads);
  sources.push(created.source);
  return created;
};
beforeEach(async () => emptyPluginTables(ctx.strapi));
afterAll(async () => {
  for (const s of sources) await s.drop();
});

/** Registers through `/api/auth/local/register`, as anyone on the internet may. */
const register = async (username: string, email: string): Promise<TestUser> => {
  const res = await request(ctx.strapi.server.httpServer).post('/api/auth/local/register').send({ username, email, password: PASSWORD }).expect(200);
  return { id: res.body.user.id, username, jwt: res.body.jwt, roleId: 0 };
};

/** An account an admin makes in the admin panel (users-permissions records the admin as its creator). */
const adminCreates = async (username: string, email: string): Promise<TestUser> => {
  const role = await roleByType(ctx.strapi, 'authenticated');
  await request(ctx.strapi.server.httpServer)
    .post('/content-manager/collection-types/plugin::users-permissions.user')
    .set('Authorization', `Bearer ${admin.token}`)
    .send({ username, email, password: PASSWORD, confirmed: true, blocked: false, role: { connect: [{ id: role.id }] } })
    .expect(201);
  const res = await request(ctx.strapi.server.httpServer).post('/api/auth/local').send({ identifier: email, password: PASSWORD }).expect(200);
  return { id: res.body.user.id, username, jwt: res.body.jwt, roleId: role.id };
};

const threadsOf = async (user: TestUser) => ((await as(ctx.strapi, user).get('/threads?limit=100').expect(200)).body.data as unknown[]).length;
const setEmailConfirmation = async (on: boolean) => {
  const store = ctx.strapi.store({ type: 'plugin', name: 'users-permissions', key: 'advanced' });
  await store.set({ value: { ...((await store.get()) as object), email_confirmation: on } });
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 1100));

describe('import-drupal --users username', () => {
  it('refuses when a Drupal username is held by an account nobody vouches for, and writes nothing', async () => {
    const { source, user } = await site(['alice', 'bob', 'carol'], [{ author: 2, to: [3] }, { author: 4, to: [2] }]);
    const alice = await adminCreates(user(2).name, `a${user(2).mail}`);
    const carol = await register(user(4).name, `c${user(4).mail}`);
    await tick();
    const cutoff = new Date().toISOString();
    await tick();
    // Anyone may register bob's Drupal name, and confirm their own address: that proves nothing about the name.
    const squatter = await register(user(3).name, 'squatter@attacker.example');

    for (const options of [{}, { createdBefore: cutoff }, { dryRun: true, createdBefore: cutoff }]) {
      await expect(importer().run({ source: source.url, users: 'username', ...options })).rejects.toThrow(
        new RegExp(`${user(3).name} \\(Drupal uid 3, Strapi user ${squatter.id}\\).*Nothing was imported.*--users-map.*--created-before`, 's')
      );
    }
    expect(await countRows(ctx.strapi, 'pm_threads')).toBe(0);
    expect(await countRows(ctx.strapi, 'pm_import_map')).toBe(0);

    // The admin says bob has no account here: alice (made by an admin) and carol (made before the cutoff) are matched.
    const map = path.join(os.tmpdir(), `pm-users-${process.pid}.json`);
    fs.writeFileSync(map, JSON.stringify({ 3: null }));
    const report = await importer().run({ source: source.url, users: 'username', usersMap: map, createdBefore: cutoff });
    expect(report.users.matched).toBe(2);
    expect(report.users.unmatched.map((u: { uid: number }) => u.uid)).toEqual([3]);
    expect(await threadsOf(squatter)).toBe(0);
    expect(await threadsOf(alice)).toBe(2);
    expect(await threadsOf(carol)).toBe(1);
  });
});

describe('import-drupal --users email on a site that does not confirm emails', () => {
  it('never gives history to an account registered after the import started, nor to an unconfirmed one, without --trust-unconfirmed', async () => {
    const { source, user } = await site(['erin', 'dave', 'fay'], [{ author: 2, to: [3], replies: [3] }, { author: 4, to: [2] }]);
    const erin = await register(`s_${user(2).name}`, user(2).mail);
    // fay's address was registered before the import, but the account is not confirmed.
    const fay = await register(`s_${user(4).name}`, user(4).mail);
    await request(ctx.strapi.server.httpServer)
      .put(`/content-manager/collection-types/plugin::users-permissions.user/${(await ctx.strapi.db.query('plugin::users-permissions.user').findOne({ where: { id: fay.id } })).documentId}`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ confirmed: false })
      .expect(200);
    const first = await importer().run({ source: source.url });
    expect(first.users.untrusted).toEqual([{ uid: 4, name: user(4).name, userId: fay.id, why: 'unconfirmed' }]);
    expect(importer().exitCodeOf(first)).toBe(2);
    expect(await threadsOf(fay)).toBe(0);

    // dave never had an account; someone registers his address after the import (registering confirms it here).
    await tick();
    const attacker = await register('not_dave', user(3).mail);
    for (const dryRun of [true, false]) {
      const rerun = await importer().run({ source: source.url, dryRun });
      expect(rerun.users.untrusted).toContainEqual({ uid: 3, name: user(3).name, userId: attacker.id, why: 'createdAfterImport' });
      expect(rerun.imported.membersAdded).toBe(0);
    }
    // Turning email confirmation on now does not make that account's confirmation (by registering) a proof.
    await setEmailConfirmation(true);
    try {
      const later = await importer().run({ source: source.url });
      expect(later.users.untrusted).toContainEqual({ uid: 3, name: user(3).name, userId: attacker.id, why: 'createdAfterImport' });
    } finally {
      await setEmailConfirmation(false);
    }
    expect(await threadsOf(attacker)).toBe(0);
    expect(await threadsOf(erin)).toBe(2);

    // The admin checked the account and says so: the rerun brings dave's history, his messages his.
    const trusted = await importer().run({ source: source.url, trustUnconfirmed: true });
    expect(trusted.users.newlyMatched).toEqual([3, 4]);
    expect(trusted.imported.membersAdded).toBe(2);
    const documentId = (await threadDocumentId(ctx.strapi, 1))!;
    const thread = (await as(ctx.strapi, attacker).get(`/threads/${documentId}`).expect(200)).body.data;
    expect(thread.messages.map((m: { author: { id: number } | null }) => m.author?.id)).toEqual([erin.id, attacker.id]);
  });
});

/** Registers on a site that confirms emails, and follows the link users-permissions emails. */
const registerAndConfirm = async (username: string, email: string): Promise<TestUser> => {
  await request(ctx.strapi.server.httpServer).post('/api/auth/local/register').send({ username, email, password: PASSWORD }).expect(200);
  await waitFor(() => smtp.to(email).length > 0);
  const raw = smtp.to(email)[0].raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const code = /confirmation=([0-9a-f]+)/.exec(raw)![1];
  const confirmed = await request(ctx.strapi.server.httpServer).get(`/api/auth/email-confirmation?confirmation=${code}`);
  expect([301, 302]).toContain(confirmed.status);
  const res = await request(ctx.strapi.server.httpServer).post('/api/auth/local').send({ identifier: email, password: PASSWORD }).expect(200);
  return { id: res.body.user.id, username, jwt: res.body.jwt, roleId: 0 };
};

describe('import-drupal: an account the admin vouches for, made after the first run', () => {
  it('gets its history on the next run (confirmed where emails are confirmed, or mapped), and the check finds no difference', async () => {
    const { source, user } = await site(['gus', 'hal', 'ida', 'jon'], [{ author: 2, to: [3, 4], replies: [3, 2] }, { author: 3, to: [2] }, { author: 4, to: [3, 5] }]);
    const gus = await register(`s_${user(2).name}`, user(2).mail);
    // The site confirms emails from the first run on.
    await setEmailConfirmation(true);
    try {
      const first = await importer().run({ source: source.url });
      expect(first.users.unmatched.map((u: { uid: number }) => u.uid)).toEqual([3, 4, 5]);

      // hal registers later and confirms his address; ida's account is the admin's to map; someone
      // registers jon's address and cannot confirm it.
      await tick();
      const hal = await registerAndConfirm(`s_${user(3).name}`, user(3).mail);
      const signUp = async (username: string, email: string) =>
        (await request(ctx.strapi.server.httpServer).post('/api/auth/local/register').send({ username, email, password: PASSWORD }).expect(200)).body.user.id as number;
      const idaId = await signUp(`s_${user(4).name}`, `other-${user(4).mail}`);
      await request(ctx.strapi.server.httpServer).post('/api/auth/local/register').send({ username: 'not_jon', email: user(5).mail, password: PASSWORD }).expect(200);
      const map = path.join(os.tmpdir(), `pm-users-late-${process.pid}.json`);
      fs.writeFileSync(map, JSON.stringify({ 4: idaId }));

      const dry = await importer().run({ source: source.url, usersMap: map, dryRun: true });
      expect(dry.imported).toMatchObject({ threads: 0, messages: 0, memberships: 5, membersAdded: 5 });
      const rerun = await importer().run({ source: source.url, usersMap: map });
      expect(rerun.users.newlyMatched).toEqual([3, 4]);
      expect(rerun.users.untrusted).toEqual([{ uid: 5, name: user(5).name, userId: expect.any(Number), why: 'unconfirmed' }]);
      expect(rerun.imported).toMatchObject({ threads: 0, threadsUpdated: 0, messages: 0, memberships: 5, membersAdded: 5 });
      expect(rerun.verification).toMatchObject({ unreadDiffering: [], messageListsDiffering: 0 });
      expect(Object.keys(rerun.lossy)).toEqual(['unmatchedRecipientRows']); // jon's row only
      for (const [uid, member] of [[2, gus], [3, hal]] as const) {
        expect({ uid, unread: (await as(ctx.strapi, member).get('/unread-count').expect(200)).body.data.threads }).toEqual({ uid, unread: await drupalUnread(source, uid, false) });
        for (const thread of [1, 4, 5]) {
          const want = await drupalThreadMids(source, uid, thread, false);
          if (want.length > 0) expect({ uid, thread, mids: await apiThreadMids(ctx.strapi, member, (await threadDocumentId(ctx.strapi, thread))!) }).toEqual({ uid, thread, mids: want });
        }
      }
      // Nothing more to bring: a third run adds no one.
      expect((await importer().run({ source: source.url, usersMap: map })).imported.membersAdded).toBe(0);
    } finally {
      await setEmailConfirmation(false);
    }
  });
});
