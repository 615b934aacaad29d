import type { Core } from '@strapi/strapi';
import type { Db } from '../repositories/db';
import * as importMap from '../repositories/import-map';
import * as importPeople from '../repositories/import-people';
import * as importThreads from '../repositories/import-threads';
import { getService } from '../utils/get-service';
import { createBodyRenderer } from './bodies';
import type { MapContext } from './mapper';
import { createReader, detectSchema, type Variant } from './reader';
import { addLossy, newReport, timed, type ImportReport, type LossyCounts } from './report';
import { mapSiteSettings } from './site-settings';
import { openSource } from './source';
import { commitThreadBatch, prepareThreadBatch } from './threads-batch';
import { importUserState } from './user-state';
import { matchUsers, newlyMatchedUsers, parseUserMatching, sharedTargets } from './users';
import { createVerifier } from './verify';
import { indexMissingMessages } from '../repositories/message-search';

/*
 * `strapi-private-messages import-drupal`: privatemsg (D6/D7, 1.x/2.x) into this plugin. Reads
 * the source in batches of threads and writes each batch in one transaction through the
 * importer's repositories (import-threads, import-people, import-map), checking each against
 * privatemsg's rows once committed; then users' blocks and preferences, the site settings, and
 * the unread counts against privatemsg's own query. No email, no outbox row, no event:
 * nothing here goes through messaging.
 */

export type ImportOptions = {
  source: string;
  dryRun?: boolean;
  /** `email` (default), `username`, or the path of a JSON map `{drupalUid: strapiUserId}`. */
  users?: string;
  /** A JSON map taken before email or username matching (users.ts). */
  usersMap?: string;
  /** Accounts made before this date (ISO 8601) are the site's own: matched by username or email. */
  createdBefore?: string;
  /** Match by email accounts nothing vouches for (unconfirmed, or made after the import first started). */
  trustUnconfirmed?: boolean;
  variant?: Variant | 'auto';
  /** Messages by Drupal users with no Strapi user: kept with no author (`null`, default) or left out (`skip`). */
  unmatched?: 'null' | 'skip';
  batchSize?: number;
  /** Run the check after the import (default true; never in a dry run). */
  verify?: boolean;
};

export type ImportProgress = { phase: 'threads' | 'users' | 'settings'; done: number; total: number };

const USER_UID = 'plugin::users-permissions.user';
const ROLE_UID = 'plugin::users-permissions.role';

export const runDrupalImport = async (
  strapi: Core.Strapi,
  options: ImportOptions,
  onProgress: (p: ImportProgress) => void = () => {}
): Promise<ImportReport> => {
  const knex = strapi.db.connection as unknown as Db;
  const dryRun = Boolean(options.dryRun);
  const batchSize = options.batchSize ?? 500;
  const createdBefore = options.createdBefore === undefined ? undefined : new Date(options.createdBefore);
  if (createdBefore && Number.isNaN(createdBefore.getTime())) throw new Error(`--created-before "${options.createdBefore}" is not a date (e.g. 2026-11-30T18:00:00Z)`);
  const startedAt = new Date();
  const source = await openSource(options.source);
  try {
    const schema = await detectSchema(source, options.variant && options.variant !== 'auto' ? options.variant : undefined);
    const lossy: LossyCounts = {};
    const reader = createReader(source, schema, () => {
      lossy.nulBytesStripped = (lossy.nulBytesStripped ?? 0) + 1;
    });
    const report = newReport(source.key, schema.variant, dryRun);

    // Users and roles on both sides; who may be matched at all (users.ts).
    const drupalUsers = await reader.users();
    const usersTable = strapi.db.metadata.get(USER_UID).tableName;
    const rolesTable = strapi.db.metadata.get(ROLE_UID).tableName;
    const advanced = (await strapi.store({ type: 'plugin', name: 'users-permissions', key: 'advanced' }).get()) as { email_confirmation?: boolean } | null;
    const firstRunAt = await importMap.firstRunAt(knex, source.key);
    const { matched, untrusted } = matchUsers(drupalUsers, await importPeople.strapiUsersForMatching(knex, usersTable), {
      matching: parseUserMatching(options.users),
      confirmedEmailsSince: await importMap.confirmedEmailsSince(knex, source.key, { startedAt, confirms: Boolean(advanced?.email_confirmation) }),
      importStartedAt: firstRunAt ?? startedAt,
      createdBefore,
      trustUnconfirmed: Boolean(options.trustUnconfirmed),
      mapFile: options.usersMap,
    });
    // Accounts matched since an earlier run join the threads it imported.
    const newly = firstRunAt ? newlyMatchedUsers(matched, await importMap.matchedBefore(knex, source.key)) : { users: new Set<number>(), uids: [] };
    if (!dryRun) {
      await importMap.insertMappings(knex, source.key, 'run', [{ sourceId: startedAt.getTime(), targetId: advanced?.email_confirmation ? 1 : 0 }], startedAt);
      // A first run has no threads for anyone to join: resumed, it must not take everyone as new.
      if (!firstRunAt) await importMap.recordMatches(knex, source.key, matched, startedAt);
    }
    const drupalUids = new Set(drupalUsers.map((u) => u.uid));
    const drupalUserByUid = new Map(drupalUsers.map((u) => [u.uid, u]));
    const userOf = (uid: number) => matched.get(uid);
    report.users.drupal = drupalUsers.length;
    report.users.matched = matched.size;
    report.users.shared = sharedTargets(matched);
    report.users.untrusted = untrusted;
    report.users.newlyMatched = newly.uids;
    for (const { uids } of report.users.shared) lossy.sharedAccounts = (lossy.sharedAccounts ?? 0) + uids.length - 1;
    const unmatched = new Set<number>();

    const drupalRoles = await reader.roles();
    const strapiRoles = await importPeople.rolesByName(knex, rolesTable);
    const strapiRoleOf = (rid: number) => strapiRoles.get((drupalRoles.get(rid) ?? '').toLowerCase());
    const roleThreads = new Map<number, number>();

    const variables = await reader.variables();
    const inboxTag = schema.tags ? Number(variables.get('privatemsg_filter_inbox_tag') ?? 0) : 0;
    const defaultFormat = (variables.get('filter_default_format') as string | number | undefined) ?? (schema.integerFormats ? 1 : null);
    const settings = await getService('settings', strapi).get();

    const mapContext: MapContext = {
      userOf,
      drupalUserExists: (uid) => drupalUids.has(uid),
      unmatched: options.unmatched ?? 'null',
      inboxTagId: inboxTag > 0 ? inboxTag : null,
      render: createBodyRenderer({ settings, defaultFormat, lossy, report }),
      onUnmatched: (uid) => unmatched.add(uid),
      onRole: (rid) => roleThreads.set(rid, (roleThreads.get(rid) ?? 0) + 1),
    };

    const total = await reader.threadCount();

    const verifier = !dryRun && options.verify !== false ? createVerifier({ knex, reader, source: source.key, userOf }) : undefined;
    const batchContext = {
      knex,
      reader,
      source: source.key,
      dryRun,
      map: mapContext,
      roleOf: (rid: number) => ({ id: strapiRoleOf(rid) ?? 0, name: drupalRoles.get(rid) ?? `role ${rid}` }),
      report,
      lossy,
      verifier,
      joining: newly.users,
    };
    // Threads, batch by batch (each batch commits with its import-map entries: a rerun resumes).
    let done = 0;
    let batches = 0;
    onProgress({ phase: 'threads', done, total });
    // Two stages: the next batch is read and planned while this one is written and checked.
    const prepare = async (after: number) => {
      const threadIds = await reader.threadIdsAfter(after, batchSize);
      return threadIds.length === 0 ? null : { threadIds, prepared: await prepareThreadBatch(batchContext, threadIds) };
    };
    let next = prepare(0);
    for (;;) {
      const current = await next;
      if (!current) break;
      next = prepare(current.threadIds[current.threadIds.length - 1]);
      // Settled on its own if this batch fails: the rejection is the one reported.
      next.catch(() => {});
      await commitThreadBatch(batchContext, current.prepared);
      // Statistics after batches 1, 2, 4, 8, …: the tables double between two refreshes.
      batches += 1;
      if (!dryRun && (batches & (batches - 1)) === 0) await timed(report, 'write', () => importThreads.refreshImportStatistics(knex));
      done += current.threadIds.length;
      onProgress({ phase: 'threads', done, total });
    }

    // The search index in bulk, once every thread is in (message-search.ts): what this run and any
    // interrupted earlier one wrote; messages sent meanwhile were indexed with their send.
    if (!dryRun) await timed(report, 'write', () => indexMissingMessages(knex as never));

    // Users' blocks and preferences after the threads: a block is on from the last message written
    // (visibility's block periods), so the history imported before it stays as privatemsg showed it.
    onProgress({ phase: 'users', done: 0, total: 1 });
    await timed(report, 'users', async () =>
      importUserState({ knex, reader, source: source.key, dryRun, userOf, userRoles: await reader.userRoles() }, report, lossy)
    );
    onProgress({ phase: 'users', done: 1, total: 1 });

    // Site settings, once per source (an admin may change them afterwards).
    const globalLevel = (await reader.settingRows('email_notify_level')).find((r) => r.type === 'global' && r.value >= 0)?.value ?? null;
    const siteSettings = mapSiteSettings(variables, globalLevel, strapiRoleOf, lossy);
    const settingsDone = (await importMap.allMappings(knex, source.key, 'settings')).size > 0;
    if (!settingsDone && Object.keys(siteSettings).length > 0) {
      report.imported.settings = Object.keys(siteSettings);
      if (!dryRun) {
        await getService('settings', strapi).update(siteSettings);
        await importMap.insertMappings(knex, source.key, 'settings', [{ sourceId: 0, targetId: 0 }], new Date());
      }
    }

    report.users.unmatched = [...unmatched].sort((a, b) => a - b).map((uid) => {
      const u = drupalUserByUid.get(uid);
      return { uid, name: u?.name ?? '', mail: u?.mail ?? null };
    });
    // Files on privatemsg messages (Drupal file/image fields) are a named lossy case: never imported.
    lossy.attachmentsLeftOut = await reader.messageFileCount();
    report.roles = [...roleThreads].map(([rid, threads]) => ({ rid, name: drupalRoles.get(rid) ?? `role ${rid}`, threads }));
    addLossy(report, lossy);

    if (verifier) await timed(report, 'verify', () => verifier.finish(report));
    // Remembered once every thread has been through: a later run stopped before this point is
    // resumed with the same accounts still joining the threads imported before.
    if (!dryRun) await importMap.recordMatches(knex, source.key, matched, new Date());
    report.finishedAt = new Date().toISOString();
    return report;
  } finally {
    await source.close();
  }
};
