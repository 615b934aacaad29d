import type { Core } from '@strapi/strapi';
import type { Db } from '../repositories/db';
import * as importMap from '../repositories/import-map';
import * as importPeople from '../repositories/import-people';
import type { DrupalUser, Reader } from './reader';
import type { ImportReport, LossyCounts } from './report';
import { matchUsers, newlyMatchedUsers, parseUserMatching, sharedTargets } from './users';

/*
 * The importer's first phase: which Drupal account is which Strapi user (users.ts holds the
 * rules), recorded so that a later run knows who was matched before, and reported.
 */

const USER_UID = 'plugin::users-permissions.user';

export type AccountsInput = {
  strapi: Core.Strapi;
  knex: Db;
  reader: Reader;
  source: string;
  dryRun: boolean;
  startedAt: Date;
  report: ImportReport;
  lossy: LossyCounts;
  options: { users?: string; usersMap?: string; createdBefore?: Date; trustUnconfirmed?: boolean };
};

export type Accounts = {
  drupalUsers: DrupalUser[];
  /** Drupal uid → Strapi user id. */
  matched: Map<number, number>;
  userOf: (uid: number) => number | undefined;
  /** Strapi users matched on this run and not by an earlier one: they join the threads imported before. */
  joining: Set<number>;
};

/** Matches the accounts, records the run (not in a dry run) and fills the report's `users`. */
export const matchAccounts = async (input: AccountsInput): Promise<Accounts> => {
  const { strapi, knex, reader, source, dryRun, startedAt, report, lossy, options } = input;
  const drupalUsers = await reader.users();
  const usersTable = strapi.db.metadata.get(USER_UID).tableName;
  const advanced = (await strapi.store({ type: 'plugin', name: 'users-permissions', key: 'advanced' }).get()) as { email_confirmation?: boolean } | null;
  const firstRunAt = await importMap.firstRunAt(knex, source);
  const { matched, untrusted } = matchUsers(drupalUsers, await importPeople.strapiUsersForMatching(knex, usersTable), {
    matching: parseUserMatching(options.users),
    confirmedEmailsSince: await importMap.confirmedEmailsSince(knex, source, { startedAt, confirms: Boolean(advanced?.email_confirmation) }),
    importStartedAt: firstRunAt ?? startedAt,
    createdBefore: options.createdBefore,
    trustUnconfirmed: Boolean(options.trustUnconfirmed),
    mapFile: options.usersMap,
  });
  // Accounts matched since an earlier run join the threads it imported.
  const newly = firstRunAt ? newlyMatchedUsers(matched, await importMap.matchedBefore(knex, source)) : { users: new Set<number>(), uids: [] };
  if (!dryRun) {
    await importMap.insertMappings(knex, source, 'run', [{ sourceId: startedAt.getTime(), targetId: advanced?.email_confirmation ? 1 : 0 }], startedAt);
    // A first run has no threads for anyone to join: resumed, it must not take everyone as new.
    if (!firstRunAt) await importMap.recordMatches(knex, source, matched, startedAt);
  }
  report.users.drupal = drupalUsers.length;
  report.users.matched = matched.size;
  report.users.shared = sharedTargets(matched);
  report.users.untrusted = untrusted;
  report.users.newlyMatched = newly.uids;
  for (const { uids } of report.users.shared) lossy.sharedAccounts = (lossy.sharedAccounts ?? 0) + uids.length - 1;
  return { drupalUsers, matched, userOf: (uid) => matched.get(uid), joining: newly.users };
};

/**
 * Once every thread has been through: a later run stopped before this point is resumed with the
 * same accounts still joining the threads imported before.
 */
export const rememberMatches = (knex: Db, source: string, matched: Map<number, number>) => importMap.recordMatches(knex, source, matched, new Date());
