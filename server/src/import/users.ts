import fs from 'node:fs';
import type { DrupalUser } from './reader';

/*
 * Which Strapi user each Drupal account becomes: by email (case-insensitively, the default), by
 * username, or by a JSON file `{ "<drupal uid>": <strapi user id>, ... }` for sites where neither
 * matches. Users must exist in Strapi before the import (the guide's first step).
 */
export type UserMatching = 'email' | 'username' | { file: string };

export type StrapiUser = { id: number; email: string | null; username: string | null; confirmed?: boolean; blocked?: boolean };

/**
 * Who may be matched by email or username: never a blocked account, and, where the site confirms
 * emails, never an unconfirmed one. Otherwise anyone who registered a Drupal user's address (or
 * name) before the import would receive that person's private messages. A JSON map is the site
 * builder's own explicit choice and is taken as it is.
 */
export type MatchingGuards = { requireConfirmed: boolean };

export const parseUserMatching = (value: string | undefined): UserMatching => {
  if (!value || value === 'email') return 'email';
  if (value === 'username') return 'username';
  return { file: value };
};

export const matchUsers = (
  drupalUsers: DrupalUser[],
  strapiUsers: StrapiUser[],
  matching: UserMatching,
  guards: MatchingGuards = { requireConfirmed: false }
) => {
  const matched = new Map<number, number>();
  if (typeof matching === 'object') {
    const raw = JSON.parse(fs.readFileSync(matching.file, 'utf8')) as Record<string, unknown>;
    const known = new Set(strapiUsers.map((u) => u.id));
    for (const [uid, id] of Object.entries(raw)) {
      if (Number.isInteger(Number(uid)) && Number.isInteger(Number(id)) && known.has(Number(id))) matched.set(Number(uid), Number(id));
    }
    return matched;
  }
  const keyOf = (value: string | null) => (value ?? '').trim().toLowerCase();
  const byKey = new Map<string, number>();
  for (const u of strapiUsers) {
    if (u.blocked || (guards.requireConfirmed && u.confirmed === false)) continue;
    const k = keyOf(matching === 'email' ? u.email : u.username);
    if (k !== '' && !byKey.has(k)) byKey.set(k, u.id);
  }
  for (const d of drupalUsers) {
    const id = byKey.get(keyOf(matching === 'email' ? d.mail : d.name));
    if (id !== undefined) matched.set(d.uid, id);
  }
  return matched;
};

/** Strapi users matched by more than one Drupal account (a map that says so, or emails that differ only by case): each becomes one member. */
export const sharedTargets = (matched: Map<number, number>) => {
  const uidsOf = new Map<number, number[]>();
  for (const [uid, userId] of matched) uidsOf.set(userId, [...(uidsOf.get(userId) ?? []), uid]);
  return [...uidsOf]
    .filter(([, uids]) => uids.length > 1)
    .map(([userId, uids]) => ({ userId, uids: uids.sort((a, b) => a - b) }))
    .sort((a, b) => a.userId - b.userId);
};
