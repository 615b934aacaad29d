import type { Db } from '../repositories/db';
import * as importMap from '../repositories/import-map';
import * as importPeople from '../repositories/import-people';
import type { EmailLevel } from '../config/defaults';
import type { Reader } from './reader';
import type { ImportReport, LossyCounts } from './report';
import { EMAIL_LEVEL_OF } from './site-settings';

/*
 * What privatemsg keeps per user besides threads: blocks (pm_block_user), disabled messaging
 * (pm_disable, or pm_setting `disabled`) and email notification levels (pm_email_notify, or
 * pm_setting `email_notify_level` per user, else per role). Each is imported once per source
 * (the import map remembers it), so a later run does not undo what users changed since.
 */
export const importUserState = async (
  input: { knex: Db; reader: Reader; source: string; dryRun: boolean; userOf: (uid: number) => number | undefined; userRoles: Map<number, number[]> },
  report: ImportReport,
  lossy: LossyCounts
) => {
  const { knex, reader, source, userOf } = input;
  const now = new Date();

  const doneBlocks = await importMap.allMappings(knex, source, 'block');
  const sourceBlocks = (await reader.blocks()).map((b) => ({ author: b.author, recipient: b.recipient, blockedId: userOf(b.author), blockerId: userOf(b.recipient) }));
  const importable = sourceBlocks.filter((b) => b.blockedId !== undefined && b.blockerId !== undefined && b.blockedId !== b.blockerId);
  // A block with a side that has no Strapi account of its own cannot be kept: said, not dropped silently.
  if (importable.length < sourceBlocks.length) lossy.unmatchedBlocks = (lossy.unmatchedBlocks ?? 0) + sourceBlocks.length - importable.length;
  const blocks = importable.filter((b) => !doneBlocks.has(importMap.mappingKey(b.author, b.recipient)));
  report.imported.blocks += blocks.length;

  const donePrefs = await importMap.allMappings(knex, source, 'prefs');
  const prefs = new Map<number, { uid: number; userId: number; messagingEnabled?: boolean; emailNotifications?: EmailLevel }>();
  const prefOf = (uid: number) => {
    const userId = userOf(uid);
    if (userId === undefined || donePrefs.has(importMap.mappingKey(uid))) return undefined;
    if (!prefs.has(uid)) prefs.set(uid, { uid, userId });
    return prefs.get(uid);
  };
  for (const uid of await reader.disabledUsers()) {
    const p = prefOf(uid);
    if (p) p.messagingEnabled = false;
  }
  for (const row of await reader.emailNotifyRows()) {
    const p = prefOf(row.uid);
    if (p) p.emailNotifications = row.enabled ? 'every' : 'never';
  }
  const levels = await reader.settingRows('email_notify_level');
  const userLevels = new Map(levels.filter((r) => r.type === 'user').map((r) => [r.id, r.value]));
  const roleLevels = new Map(levels.filter((r) => r.type === 'role').map((r) => [r.id, r.value]));
  for (const [uid, value] of userLevels) {
    const p = EMAIL_LEVEL_OF[value] ? prefOf(uid) : undefined;
    if (p) p.emailNotifications = EMAIL_LEVEL_OF[value];
  }
  if (roleLevels.size > 0) {
    // privatemsg looks at the user's level, then their roles', then the global one.
    for (const [uid, rids] of input.userRoles) {
      if (userLevels.has(uid) && userLevels.get(uid)! >= 0) continue;
      const level = rids.map((rid) => roleLevels.get(rid)).find((v) => v !== undefined && EMAIL_LEVEL_OF[v]);
      const p = level !== undefined ? prefOf(uid) : undefined;
      if (p && level !== undefined) {
        p.emailNotifications = EMAIL_LEVEL_OF[level];
        lossy.roleNotificationLevels = (lossy.roleNotificationLevels ?? 0) + 1;
      }
    }
  }
  report.imported.preferences += prefs.size;
  if (input.dryRun) return;

  await (knex as any).transaction(async (trx: Db) => {
    await importPeople.insertBlocks(trx, blocks.map((b) => ({ blockerId: b.blockerId!, blockedId: b.blockedId! })), now);
    await importMap.insertMappings(trx, source, 'block', blocks.map((b) => ({ sourceId: b.author, sourceSub: b.recipient, targetId: b.blockerId! })), now);
    await importPeople.upsertPreferencesMany(trx, [...prefs.values()], now);
    await importMap.insertMappings(trx, source, 'prefs', [...prefs.values()].map((p) => ({ sourceId: p.uid, targetId: p.userId })), now);
  });
};
