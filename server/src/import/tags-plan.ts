import { tagNameKey } from '../services/own-tags';
import type { ThreadPlan } from './mapper';
import type { LossyCounts } from './report';

/*
 * The per-user tags a batch's threads carry, as the importer writes them: one tag per owner and
 * case-insensitive name (names differing only by case merge, reported), names kept to 64
 * characters. Shared by the import and the dry run, which must report the same.
 */

const tagName = (name: string, tagId: number, lossy: LossyCounts) => {
  const trimmed = name.normalize('NFC').trim();
  if (trimmed !== '' && trimmed.length <= 64) return trimmed;
  lossy.tagsRenamed = (lossy.tagsRenamed ?? 0) + 1;
  return trimmed === '' ? `tag ${tagId}` : trimmed.slice(0, 64);
};

export type PlannedTags = {
  /** By `owner:nameKey`. */
  wanted: Map<string, { ownerId: number; name: string; nameKey: string }>;
  /** Each (source thread, member, tag key) to link. */
  links: { sourceThreadId: number; userId: number; key: string }[];
};

export const planTags = (plans: { plan: ThreadPlan; userIds?: Set<number> }[], lossy: LossyCounts): PlannedTags => {
  const wanted: PlannedTags['wanted'] = new Map();
  const links: PlannedTags['links'] = [];
  const keyOfSource = new Map<string, string>();
  for (const { plan, userIds } of plans) {
    for (const t of plan.tags) {
      if (userIds && !userIds.has(t.userId)) continue;
      const sourceKey = `${t.userId}:${t.tagId}`;
      let key = keyOfSource.get(sourceKey);
      if (key === undefined) {
        const name = tagName(t.name, t.tagId, lossy);
        key = `${t.userId}:${tagNameKey(name)}`;
        keyOfSource.set(sourceKey, key);
        if (wanted.has(key) && wanted.get(key)!.name !== name) lossy.tagsMerged = (lossy.tagsMerged ?? 0) + 1;
        wanted.set(key, { ownerId: t.userId, name, nameKey: tagNameKey(name) });
      }
      links.push({ sourceThreadId: plan.sourceThreadId, userId: t.userId, key });
    }
  }
  return { wanted, links };
};
