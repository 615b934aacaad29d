import type { Core } from '@strapi/strapi';
import type { Db } from '../repositories/db';
import * as importMap from '../repositories/import-map';
import * as importPeople from '../repositories/import-people';
import * as importThreads from '../repositories/import-threads';
import { indexMissingMessages } from '../repositories/message-search';
import { getService } from '../utils/get-service';
import { matchAccounts, rememberMatches, type Accounts } from './accounts';
import { createBodyRenderer } from './bodies';
import type { MapContext } from './mapper';
import { createReader, detectSchema, type Reader, type SourceSchema, type Variant } from './reader';
import { addLossy, newReport, timed, type ImportReport, type LossyCounts } from './report';
import { mapSiteSettings } from './site-settings';
import { openSource, type Source } from './source';
import { commitThreadBatch, prepareThreadBatch, type BatchContext } from './threads-batch';
import { importUserState } from './user-state';
import { createVerifier, type Verifier } from './verify';

/*
 * `strapi-private-messages import-drupal`: privatemsg (D6/D7, 1.x/2.x) into this plugin. Reads
 * the source in batches of threads and writes each batch in one transaction through the
 * importer's repositories (import-threads, import-people, import-map), checking each against
 * privatemsg's rows once committed; then users' blocks and preferences, the site settings, and
 * the unread counts against privatemsg's own query. No email, no outbox row, no event:
 * nothing here goes through messaging. runDrupalImport reads as its phases, in order.
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

const ROLE_UID = 'plugin::users-permissions.role';

/** What every phase of a run reads: the database, the source, and the report being filled. */
type Run = {
  strapi: Core.Strapi;
  knex: Db;
  /** The source's key in the import map. */
  source: string;
  dryRun: boolean;
  schema: SourceSchema;
  reader: Reader;
  report: ImportReport;
  lossy: LossyCounts;
};

type Variables = Awaited<ReturnType<Reader['variables']>>;
type Roles = { drupalRoles: Map<number, string>; strapiRoleOf: (rid: number) => number | undefined };
/** The threads' mapping (mapper.ts), and what it tallies as it goes. */
type Mapping = { map: MapContext; unmatched: Set<number>; roleThreads: Map<number, number> };

const parseCreatedBefore = (value: string | undefined) => {
  const createdBefore = value === undefined ? undefined : new Date(value);
  if (createdBefore && Number.isNaN(createdBefore.getTime())) throw new Error(`--created-before "${value}" is not a date (e.g. 2026-11-30T18:00:00Z)`);
  return createdBefore;
};

/** The source's schema (privatemsg's variant), its reader, and an empty report. */
const openRun = async (strapi: Core.Strapi, options: ImportOptions, source: Source): Promise<Run> => {
  const schema = await detectSchema(source, options.variant && options.variant !== 'auto' ? options.variant : undefined);
  const lossy: LossyCounts = {};
  const reader = createReader(source, schema, () => {
    lossy.nulBytesStripped = (lossy.nulBytesStripped ?? 0) + 1;
  });
  const dryRun = Boolean(options.dryRun);
  const knex = strapi.db.connection as unknown as Db;
  return { strapi, knex, source: source.key, dryRun, schema, reader, report: newReport(source.key, schema.variant, dryRun), lossy };
};

/** Drupal's roles, and the Strapi role of the same name (ignoring case). */
const readRoles = async (run: Run): Promise<Roles> => {
  const drupalRoles = await run.reader.roles();
  const strapiRoles = await importPeople.rolesByName(run.knex, run.strapi.db.metadata.get(ROLE_UID).tableName);
  return { drupalRoles, strapiRoleOf: (rid) => strapiRoles.get((drupalRoles.get(rid) ?? '').toLowerCase()) };
};

/** How each thread maps: who is whom, the Inbox tag, bodies rendered with the site's text formats. */
const planMapping = async (run: Run, options: ImportOptions, accounts: Accounts, variables: Variables): Promise<Mapping> => {
  const drupalUids = new Set(accounts.drupalUsers.map((u) => u.uid));
  const unmatched = new Set<number>();
  const roleThreads = new Map<number, number>();
  const inboxTag = run.schema.tags ? Number(variables.get('privatemsg_filter_inbox_tag') ?? 0) : 0;
  const defaultFormat = (variables.get('filter_default_format') as string | number | undefined) ?? (run.schema.integerFormats ? 1 : null);
  const settings = await getService('settings', run.strapi).get();
  const map: MapContext = {
    userOf: accounts.userOf,
    drupalUserExists: (uid) => drupalUids.has(uid),
    unmatched: options.unmatched ?? 'null',
    inboxTagId: inboxTag > 0 ? inboxTag : null,
    render: createBodyRenderer({ settings, defaultFormat, lossy: run.lossy, report: run.report }),
    onUnmatched: (uid) => unmatched.add(uid),
    onRole: (rid) => roleThreads.set(rid, (roleThreads.get(rid) ?? 0) + 1),
  };
  return { map, unmatched, roleThreads };
};

/**
 * Threads, batch by batch (each batch commits with its import-map entries: a rerun resumes), in
 * two stages: the next batch is read and planned while this one is written and checked.
 */
const importThreadBatches = async (run: Run, batch: BatchContext, batchSize: number, onProgress: (p: ImportProgress) => void) => {
  const total = await run.reader.threadCount();
  let done = 0;
  let batches = 0;
  onProgress({ phase: 'threads', done, total });
  const prepare = async (after: number) => {
    const threadIds = await run.reader.threadIdsAfter(after, batchSize);
    return threadIds.length === 0 ? null : { threadIds, prepared: await prepareThreadBatch(batch, threadIds) };
  };
  let next = prepare(0);
  for (;;) {
    const current = await next;
    if (!current) break;
    next = prepare(current.threadIds[current.threadIds.length - 1]);
    // Settled on its own if this batch fails: the rejection is the one reported.
    next.catch(() => {});
    await commitThreadBatch(batch, current.prepared);
    // Statistics after batches 1, 2, 4, 8, …: the tables double between two refreshes.
    batches += 1;
    if (!run.dryRun && (batches & (batches - 1)) === 0) await timed(run.report, 'write', () => importThreads.refreshImportStatistics(run.knex));
    done += current.threadIds.length;
    onProgress({ phase: 'threads', done, total });
  }
};

/**
 * The search index in bulk, once every thread is in (message-search.ts): what this run and any
 * interrupted earlier one wrote; messages sent meanwhile were indexed with their send.
 */
const indexImportedMessages = async (run: Run) => {
  if (!run.dryRun) await timed(run.report, 'write', () => indexMissingMessages(run.knex as never));
};

/**
 * Users' blocks and preferences after the threads: a block is on from the last message written
 * (visibility's block periods), so the history imported before it stays as privatemsg showed it.
 */
const importUsers = async (run: Run, accounts: Accounts, onProgress: (p: ImportProgress) => void) => {
  onProgress({ phase: 'users', done: 0, total: 1 });
  const { knex, reader, source, dryRun } = run;
  await timed(run.report, 'users', async () =>
    importUserState({ knex, reader, source, dryRun, userOf: accounts.userOf, userRoles: await reader.userRoles() }, run.report, run.lossy)
  );
  onProgress({ phase: 'users', done: 1, total: 1 });
};

/** Site settings, once per source (an admin may change them afterwards). */
const importSiteSettings = async (run: Run, variables: Variables, roles: Roles) => {
  const globalLevel = (await run.reader.settingRows('email_notify_level')).find((r) => r.type === 'global' && r.value >= 0)?.value ?? null;
  const siteSettings = mapSiteSettings(variables, globalLevel, roles.strapiRoleOf, run.lossy);
  const settingsDone = (await importMap.allMappings(run.knex, run.source, 'settings')).size > 0;
  if (settingsDone || Object.keys(siteSettings).length === 0) return;
  run.report.imported.settings = Object.keys(siteSettings);
  if (run.dryRun) return;
  await getService('settings', run.strapi).update(siteSettings);
  await importMap.insertMappings(run.knex, run.source, 'settings', [{ sourceId: 0, targetId: 0 }], new Date());
};

/** Who stayed unmatched, what was left out, the roles threads went to; then the final check. */
const finishReport = async (run: Run, accounts: Accounts, roles: Roles, mapping: Mapping, verifier: Verifier | undefined) => {
  const { report, lossy } = run;
  const drupalUserByUid = new Map(accounts.drupalUsers.map((u) => [u.uid, u]));
  report.users.unmatched = [...mapping.unmatched].sort((a, b) => a - b).map((uid) => {
    const u = drupalUserByUid.get(uid);
    return { uid, name: u?.name ?? '', mail: u?.mail ?? null };
  });
  // Files on privatemsg messages (Drupal file/image fields) are a named lossy case: never imported.
  lossy.attachmentsLeftOut = await run.reader.messageFileCount();
  report.roles = [...mapping.roleThreads].map(([rid, threads]) => ({ rid, name: roles.drupalRoles.get(rid) ?? `role ${rid}`, threads }));
  addLossy(report, lossy);
  if (verifier) await timed(report, 'verify', () => verifier.finish(report));
};

export const runDrupalImport = async (
  strapi: Core.Strapi,
  options: ImportOptions,
  onProgress: (p: ImportProgress) => void = () => {}
): Promise<ImportReport> => {
  const createdBefore = parseCreatedBefore(options.createdBefore);
  const startedAt = new Date();
  const source = await openSource(options.source);
  try {
    const run = await openRun(strapi, options, source);
    const { knex, reader, dryRun, report } = run;
    const accounts = await matchAccounts({ ...run, startedAt, options: { ...options, createdBefore } });
    const roles = await readRoles(run);
    const variables = await reader.variables();
    const mapping = await planMapping(run, options, accounts, variables);
    const verifier = !dryRun && options.verify !== false ? createVerifier({ knex, reader, source: run.source, userOf: accounts.userOf }) : undefined;
    const batch: BatchContext = {
      knex,
      reader,
      source: run.source,
      dryRun,
      map: mapping.map,
      roleOf: (rid) => ({ id: roles.strapiRoleOf(rid) ?? 0, name: roles.drupalRoles.get(rid) ?? `role ${rid}` }),
      report,
      lossy: run.lossy,
      verifier,
      joining: accounts.joining,
    };
    await importThreadBatches(run, batch, options.batchSize ?? 500, onProgress);
    await indexImportedMessages(run);
    await importUsers(run, accounts, onProgress);
    await importSiteSettings(run, variables, roles);
    await finishReport(run, accounts, roles, mapping, verifier);
    if (!dryRun) await rememberMatches(knex, run.source, accounts.matched);
    report.finishedAt = new Date().toISOString();
    return report;
  } finally {
    await source.close();
  }
};
