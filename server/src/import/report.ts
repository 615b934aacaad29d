/*
 * What an import did, and every case it could not carry over exactly (`lossy`), counted and named.
 * Printed at the end of a run and written as JSON with --report.
 */

/** The cases that cannot be represented exactly, with what the importer did about each. */
export const LOSSY_CASES = {
  sharedAccounts: 'Drupal accounts matched to a Strapi user another Drupal account was matched to: their threads and state became one member (report.users.shared lists them)',
  unmatchedRecipientRows: 'pm_index rows of Drupal users with no Strapi user: those users are not members',
  unmatchedAuthorMessages: 'messages by Drupal users with no Strapi user: imported with no author (or skipped with --unmatched skip)',
  skippedMessages: 'messages skipped (--unmatched skip)',
  deletedAuthorMessages: 'messages whose author no longer exists in Drupal (or uid 0): imported with no author',
  orphanIndexRows: 'pm_index rows for a message that does not exist: ignored',
  orphanRecipientRows: 'pm_index rows for a user that does not exist in Drupal (drupal.org #846616): ignored',
  duplicateIndexRows: 'duplicate pm_index rows (from before privatemsg update 7004): merged',
  roleRows: 'pm_index rows of type role: the role is named on the thread; its members come from their hidden rows',
  roleThreadsFlattened: 'threads whose role recipients could not be kept as a broadcast (the role was not on the first message): its hidden members became ordinary members',
  unreadNotContiguous: 'memberships whose unread messages are not the newest ones: the unread count is exact, the first unread message is marked, and the read ones after it show as new',
  ownMessagesUnread: 'messages marked unread for their own author (privatemsg "mark as unread"): counted in the unread count',
  partialDeletions: 'messages a member deleted one by one while newer ones stay: shown again (only whole-thread removal is kept)',
  shownUndelivered: 'messages with no author (deleted or unmatched) that a member never received in Drupal (no pm_index row) inside the part of the thread they see: shown to them',
  audienceWidened: 'broadcast replies that reached some but not all hidden members: shown to every member',
  unknownFormats: 'messages in a text format with no equivalent (php_code, custom formats): stored as basic_html',
  phpCodeRemoved: 'messages in the PHP code format: the PHP code (run on Drupal\'s server, its output cannot be reproduced) is dropped whole, the text around it kept',
  markupRemoved: 'messages in Full HTML (or a format with no equivalent) whose markup the plugin\'s sanitizing removed, e.g. embedded video iframes (report.markupRemoved counts each element and attribute)',
  bodiesShortened: 'messages longer than the maxBodyLength setting: cut to that length, ending with "…"',
  nulBytesStripped: 'subjects, bodies, tag or role names holding NUL bytes (PostgreSQL refuses them in text): the NUL bytes are removed',
  unmatchedBlocks: 'pm_block_user rows of a Drupal user with no Strapi account (or two accounts matched to one user): not imported',
  tokenMessages: 'messages with tokens (has_tokens): imported as written, tokens not replaced',
  tagsRenamed: 'tags longer than 64 characters or empty: shortened or named "tag <id>"',
  tagsMerged: 'tags of one user whose names differ only by case: merged into one tag',
  blockRulesDropped: 'pm_block_user_actions "disallow sending" rules: no equivalent setting',
  settingsApproximated: 'privatemsg_limits settings mapped approximately (per-role limits and receive limits have no equivalent)',
  roleNotificationLevels: 'role-level email notification levels: applied to each member of the role without a level of their own',
  attachmentsLeftOut: 'files attached to messages through Drupal file or image fields: not imported (the messages are, without them; attachments here are uploaded anew)',
} as const;

export type LossyCase = keyof typeof LOSSY_CASES;

export type ImportReport = {
  source: string;
  variant: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt?: string;
  imported: {
    threads: number;
    threadsUpdated: number;
    messages: number;
    memberships: number;
    tags: number;
    tagLinks: number;
    blocks: number;
    preferences: number;
    settings: string[];
    /** Memberships added to threads imported before (accounts matched since). */
    membersAdded: number;
  };
  skippedAlreadyImported: { threads: number; messages: number };
  users: {
    drupal: number;
    matched: number;
    unmatched: { uid: number; name: string; mail: string | null }[];
    /** Strapi users matched by several Drupal accounts. */
    shared: { userId: number; uids: number[] }[];
    /**
     * Strapi accounts whose email matches a Drupal user's but which nothing vouches for (unconfirmed,
     * or made after the import first started while the site did not confirm emails): not matched.
     */
    untrusted: { uid: number; name: string; userId: number; why: 'unconfirmed' | 'createdAfterImport' }[];
    /** Drupal uids matched on this run and not on an earlier one: they join the threads imported before. */
    newlyMatched: number[];
  };
  /** What sanitizing removed from Full HTML bodies (or bodies in a format with no equivalent), per element (`<iframe>`) and attribute (`style=`). */
  markupRemoved: Record<string, number>;
  roles: { rid: number; name: string; threads: number }[];
  lossy: Partial<Record<LossyCase, { count: number; what: string }>>;
  /** Seconds spent per phase (reading the source, planning, writing, users' state, the check). */
  timings: Record<TimedPhase, number>;
  verification?: {
    users: number;
    unreadMatching: number;
    unreadDiffering: { userId: number; drupal: number; strapi: number }[];
    memberships: number;
    messageListsMatching: number;
    messageListsDiffering: number;
  };
};

export type TimedPhase = 'read' | 'plan' | 'write' | 'users' | 'verify';

/** Runs `work`, adding its wall time to the report's phase. */
export const timed = async <T>(report: ImportReport, phase: TimedPhase, work: () => Promise<T> | T): Promise<T> => {
  const started = process.hrtime.bigint();
  try {
    return await work();
  } finally {
    report.timings[phase] = Math.round((report.timings[phase] + Number(process.hrtime.bigint() - started) / 1e9) * 1000) / 1000;
  }
};

export const newReport = (source: string, variant: string, dryRun: boolean): ImportReport => ({
  source,
  variant,
  dryRun,
  startedAt: new Date().toISOString(),
  imported: { threads: 0, threadsUpdated: 0, messages: 0, memberships: 0, tags: 0, tagLinks: 0, blocks: 0, preferences: 0, settings: [], membersAdded: 0 },
  skippedAlreadyImported: { threads: 0, messages: 0 },
  users: { drupal: 0, matched: 0, unmatched: [], shared: [], untrusted: [], newlyMatched: [] },
  markupRemoved: {},
  roles: [],
  lossy: {},
  timings: { read: 0, plan: 0, write: 0, users: 0, verify: 0 },
});

export type LossyCounts = Partial<Record<LossyCase, number>>;

export const addLossy = (report: ImportReport, counts: LossyCounts) => {
  for (const [key, n] of Object.entries(counts) as [LossyCase, number][]) {
    if (!n) continue;
    const entry = report.lossy[key] ?? { count: 0, what: LOSSY_CASES[key] };
    entry.count += n;
    report.lossy[key] = entry;
  }
};

/** Whether the run must end with exit code 2: unmatched users, reported losses, or a failed check. */
export const hasLosses = (report: ImportReport) =>
  report.users.unmatched.length > 0 ||
  report.users.untrusted.length > 0 ||
  Object.keys(report.lossy).length > 0 ||
  Boolean(report.verification && (report.verification.unreadDiffering.length > 0 || report.verification.messageListsDiffering > 0));
