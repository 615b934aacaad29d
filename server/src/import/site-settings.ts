import type { EmailLevel } from '../config/defaults';
import type { PhpValue } from './php-serialized';
import type { LossyCounts } from './report';

/*
 * privatemsg's site-wide settings (the `variable` table, and pm_setting's global rows) as ours.
 * Only what the source sets is returned: a setting Drupal never saved keeps our value.
 */

/** pm_email_notify levels (pm_email_notify.module 7.x-2.x) to ours: exactly one to one. */
export const EMAIL_LEVEL_OF: Record<number, EmailLevel> = { 0: 'never', 4: 'newThreads', 8: 'firstUnread', 12: 'every' };

const truthy = (v: PhpValue | undefined) => v === true || v === 1 || v === '1';
const num = (v: PhpValue | undefined) => (v === null || v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v));

export type MappedSettings = {
  purgeDeletedAfterDays?: number;
  maxRecipients?: number;
  rateLimit?: { max: number; windowSeconds: number };
  unblockableRoles?: number[];
  emailNotificationsDefault?: EmailLevel;
};

export const mapSiteSettings = (
  variables: Map<string, PhpValue>,
  globalEmailLevel: number | null,
  strapiRoleOf: (rid: number) => number | undefined,
  lossy: LossyCounts
): MappedSettings => {
  const out: MappedSettings = {};
  if (variables.has('privatemsg_flush_enabled') || variables.has('privatemsg_flush_days')) {
    out.purgeDeletedAfterDays = truthy(variables.get('privatemsg_flush_enabled'))
      ? Math.min(36_500, Math.max(0, num(variables.get('privatemsg_flush_days')) ?? 30))
      : 0;
  }
  const recipients = num(variables.get('privatemsg_limits_recipients_amount'));
  if (truthy(variables.get('privatemsg_limits_recipients_enabled')) && recipients && recipients > 0) {
    out.maxRecipients = Math.min(100_000, recipients);
  }
  const sendAmount = num(variables.get('privatemsg_limits_send_amount'));
  if (truthy(variables.get('privatemsg_limits_send_enabled')) && sendAmount && sendAmount > 0) {
    const timeframe = num(variables.get('privatemsg_limits_send_timeframe')) ?? 3600;
    out.rateLimit = { max: Math.min(100_000, sendAmount), windowSeconds: Math.min(86_400, Math.max(1, timeframe)) };
    lossy.settingsApproximated = (lossy.settingsApproximated ?? 0) + 1;
  }
  if (truthy(variables.get('privatemsg_limits_receive_enabled'))) lossy.settingsApproximated = (lossy.settingsApproximated ?? 0) + 1;

  // pm_block_user_actions: [{author: rid, recipient: rid, action: 0 disallow blocking | 1 disallow sending, enabled}].
  const actions = variables.get('pm_block_user_actions');
  const rules = Array.isArray(actions) ? actions : actions && typeof actions === 'object' ? Object.values(actions) : [];
  const unblockable = new Set<number>();
  for (const rule of rules as Record<string, PhpValue>[]) {
    if (!rule || typeof rule !== 'object' || !truthy(rule.enabled ?? true)) continue;
    if (Number(rule.action) === 0) {
      const role = strapiRoleOf(Number(rule.recipient));
      if (role !== undefined) unblockable.add(role);
    } else {
      lossy.blockRulesDropped = (lossy.blockRulesDropped ?? 0) + 1;
    }
  }
  if (unblockable.size > 0) out.unblockableRoles = [...unblockable].sort((a, b) => a - b);

  const level = globalEmailLevel ?? num(variables.get('privatemsg_setting_email_notify_level'));
  if (level !== null && EMAIL_LEVEL_OF[level]) out.emailNotificationsDefault = EMAIL_LEVEL_OF[level];
  else if (variables.has('pm_email_notify_default')) out.emailNotificationsDefault = truthy(variables.get('pm_email_notify_default')) ? 'every' : 'never';
  return out;
};
