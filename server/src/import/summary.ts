import type { ImportReport } from './report';

/** The report as the command prints it: what was (or would be) imported, every loss, the check. */
export const summarize = (report: ImportReport): string[] => {
  const i = report.imported;
  const lines = [
    `${report.dryRun ? 'Dry run (nothing written)' : 'Imported'} from ${report.source} (privatemsg ${report.variant}):`,
    `  threads ${i.threads} new, ${i.threadsUpdated} with new messages; messages ${i.messages}; memberships ${i.memberships}`,
    `  tags ${i.tags} (${i.tagLinks} uses); blocks ${i.blocks}; users' preferences ${i.preferences}; settings: ${i.settings.join(', ') || 'none'}`,
    `  already imported before: ${report.skippedAlreadyImported.threads} threads, ${report.skippedAlreadyImported.messages} messages`,
    `  users: ${report.users.matched} of ${report.users.drupal} Drupal accounts matched; ${report.users.unmatched.length} unmatched with messages` +
      (report.users.shared.length > 0 ? `; ${report.users.shared.length} Strapi users matched by several accounts` : ''),
  ];
  if (report.users.newlyMatched.length > 0) {
    lines.push(`  ${report.users.newlyMatched.length} accounts matched since an earlier run: ${i.membersAdded} memberships added to threads imported before`);
  }
  const untrusted = report.users.untrusted;
  if (untrusted.length > 0) {
    const why = (w: string) => untrusted.filter((u) => u.why === w).length;
    lines.push(
      `  ${untrusted.length} Drupal users' emails belong to Strapi accounts nothing vouches for, left unmatched ` +
        `(${why('unconfirmed')} unconfirmed, ${why('createdAfterImport')} made after the import first started; report.users.untrusted lists them): ` +
        'check them, then map them (--users-map) or pass --trust-unconfirmed'
    );
  }
  const removed = Object.entries(report.markupRemoved);
  if (removed.length > 0) lines.push(`  removed by sanitizing Full HTML bodies: ${removed.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  for (const r of report.roles) lines.push(`  role "${r.name}" (rid ${r.rid}) was a recipient in ${r.threads} threads`);
  const lossy = Object.entries(report.lossy);
  if (lossy.length > 0) {
    lines.push('Not carried over exactly:');
    for (const [key, { count, what }] of lossy) lines.push(`  ${key}: ${count} (${what})`);
  }
  const v = report.verification;
  if (v) {
    lines.push(
      `Check against privatemsg: unread counts ${v.unreadMatching}/${v.users} users equal` +
        (v.unreadDiffering.length > 0 ? ` (${v.unreadDiffering.length} differ)` : '') +
        `; message lists ${v.messageListsMatching}/${v.memberships} memberships equal` +
        (v.messageListsDiffering > 0 ? ` (${v.messageListsDiffering} differ, see the reported losses)` : '')
    );
  }
  const t = report.timings;
  const sec = (n: number) => `${n.toFixed(1)} s`;
  lines.push(`Time spent (overlapping): reading ${sec(t.read)}, planning ${sec(t.plan)}, writing ${sec(t.write)}, users' state ${sec(t.users)}, check ${sec(t.verify)}`);
  return lines;
};
