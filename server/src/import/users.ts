import fs from 'node:fs';
import type { DrupalUser } from './reader';

/*
 * Which Strapi user each Drupal account becomes, and who may receive a Drupal user's private
 * history at all. Anyone can register an account, so a match alone proves nothing:
 *   - a JSON map (`--users map.json`, or `--users-map` next to email or username matching) is the
 *     admin's own statement `{ "<drupal uid>": <strapi user id> | null }` and is taken as it is
 *     (null: leave that account unmatched);
 *   - by username, only accounts the site vouches for: made by an admin (the admin panel records
 *     who created them), made before `--created-before`, or listed in the map. A free username is
 *     anyone's for the taking, and confirming one's own email proves nothing about a name, so a
 *     Drupal username held by any other account refuses the whole run (UnvouchedUsernames);
 *   - by email, those same accounts, and confirmed ones made before the import first started,
 *     or made since the site has confirmed emails (at every run since: on a site that does not,
 *     users-permissions' default, registering confirms the account by itself, which proves
 *     nothing). Later or unconfirmed ones are left unmatched (reported) unless the admin says
 *     `--trust-unconfirmed`: whoever registered a Drupal user's address would otherwise get that
 *     person's history, on the first run or on any later one.
 * A blocked account is never matched by email or username.
 */
export type UserMatching = 'email' | 'username' | { file: string };

export type StrapiUser = {
  id: number;
  email: string | null;
  username: string | null;
  confirmed: boolean;
  blocked: boolean;
  createdAt: Date | null;
  /** Made in the admin panel (users-permissions' `createdBy` holds the admin). */
  createdByAdmin: boolean;
};

export type MatchingPolicy = {
  matching: UserMatching;
  /**
   * Since when the site has confirmed emails (users-permissions' "Enable email confirmation") at
   * every run of this source, this one included; null when it does not now. An account confirmed
   * while the setting was off was confirmed by registering, which proves nothing.
   */
  confirmedEmailsSince: Date | null;
  /** When this source's import first started (this run's start on a first run). */
  importStartedAt: Date;
  /** `--created-before`: accounts made before it are the site's own. */
  createdBefore?: Date;
  /** `--trust-unconfirmed`: email matches need no proof. */
  trustUnconfirmed?: boolean;
  /** `--users-map`: explicit matches next to email or username matching. */
  mapFile?: string;
};

/** Why an account that matches a Drupal user by email was not taken. */
export type UntrustedMatch = { uid: number; name: string; userId: number; why: 'unconfirmed' | 'createdAfterImport' };

export class UnvouchedUsernames extends Error {
  constructor(public readonly matches: { uid: number; name: string; userId: number }[]) {
    const listed = matches
      .slice(0, 10)
      .map((m) => `${m.name} (Drupal uid ${m.uid}, Strapi user ${m.userId})`)
      .join(', ');
    super(
      `--users username: ${matches.length} Drupal username(s) belong to Strapi accounts the site does not vouch for: ${listed}` +
        `${matches.length > 10 ? ', …' : ''}. Anyone can register a free username, and confirming an email proves nothing about a name, ` +
        'so matching them would hand those Drupal users\' private messages to whoever registered the name. Nothing was imported. ' +
        'Either match by email (--users email), or list the accounts that are these people (or null to leave one unmatched) in a JSON map ' +
        '{"<drupal uid>": <strapi user id>} given with --users-map FILE, or give --created-before DATE if every account made before DATE ' +
        'was made or checked by you (accounts made by an admin in the admin panel are always taken).'
    );
    this.name = 'UnvouchedUsernames';
  }
}

export const parseUserMatching = (value: string | undefined): UserMatching => {
  if (!value || value === 'email') return 'email';
  if (value === 'username') return 'username';
  return { file: value };
};

/** A JSON map `{ "<drupal uid>": <strapi user id> | null }`, kept to users that exist. */
const readMap = (file: string, known: Set<number>) => {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const map = new Map<number, number | null>();
  for (const [uid, id] of Object.entries(raw)) {
    if (!Number.isInteger(Number(uid))) continue;
    if (id === null) map.set(Number(uid), null);
    else if (Number.isInteger(Number(id)) && known.has(Number(id))) map.set(Number(uid), Number(id));
  }
  return map;
};

export const matchUsers = (drupalUsers: DrupalUser[], strapiUsers: StrapiUser[], policy: MatchingPolicy) => {
  const matched = new Map<number, number>();
  const untrusted: UntrustedMatch[] = [];
  const known = new Set(strapiUsers.map((u) => u.id));
  const { matching } = policy;
  if (typeof matching === 'object') {
    for (const [uid, id] of readMap(matching.file, known)) if (id !== null) matched.set(uid, id);
    return { matched, untrusted };
  }
  const map = policy.mapFile ? readMap(policy.mapFile, known) : new Map<number, number | null>();
  const listed = new Set([...map.values()].filter((id): id is number => id !== null));
  const vouched = (u: StrapiUser) =>
    u.createdByAdmin || listed.has(u.id) || (policy.createdBefore !== undefined && u.createdAt !== null && u.createdAt < policy.createdBefore);
  const proves = (u: StrapiUser): UntrustedMatch['why'] | null => {
    if (vouched(u) || policy.trustUnconfirmed) return null;
    if (!u.confirmed) return 'unconfirmed';
    if (u.createdAt !== null && u.createdAt < policy.importStartedAt) return null;
    const since = policy.confirmedEmailsSince;
    return since !== null && u.createdAt !== null && u.createdAt >= since ? null : 'createdAfterImport';
  };

  const keyOf = (value: string | null) => (value ?? '').trim().toLowerCase();
  const byKey = new Map<string, StrapiUser>();
  for (const u of strapiUsers) {
    if (u.blocked) continue;
    const k = keyOf(matching === 'email' ? u.email : u.username);
    if (k !== '' && !byKey.has(k)) byKey.set(k, u);
  }
  const unvouched: { uid: number; name: string; userId: number }[] = [];
  for (const d of drupalUsers) {
    if (map.has(d.uid)) {
      const id = map.get(d.uid);
      if (id !== null && id !== undefined) matched.set(d.uid, id);
      continue;
    }
    const u = byKey.get(keyOf(matching === 'email' ? d.mail : d.name));
    if (!u) continue;
    if (matching === 'username') {
      if (vouched(u)) matched.set(d.uid, u.id);
      else unvouched.push({ uid: d.uid, name: d.name, userId: u.id });
      continue;
    }
    const why = proves(u);
    if (why === null) matched.set(d.uid, u.id);
    else untrusted.push({ uid: d.uid, name: d.name, userId: u.id, why });
  }
  if (unvouched.length > 0) throw new UnvouchedUsernames(unvouched);
  return { matched, untrusted };
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

/**
 * Drupal accounts matched now and not by an earlier run of this source (or to another Strapi
 * user then): the Strapi users who join the threads imported before.
 */
export const newlyMatchedUsers = (matched: Map<number, number>, before: Map<number, number>) => {
  const users = new Set<number>();
  const uids: number[] = [];
  for (const [uid, userId] of matched) {
    if (before.get(uid) === userId) continue;
    users.add(userId);
    uids.push(uid);
  }
  return { users, uids: uids.sort((a, b) => a - b) };
};
