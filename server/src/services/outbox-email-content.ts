import type { Core } from '@strapi/strapi';
import * as outboxRepo from '../repositories/outbox';
import * as messagesRepo from '../repositories/messages';
import * as reportsRepo from '../repositories/reports';
import * as threadsRepo from '../repositories/threads';
import { createUsersRepository } from '../repositories/users';
import { countAttachments } from '../repositories/attachments';
import { getService } from '../utils/get-service';
import { messageEmail, reportEmail, threadUrl } from './notification-email';
import { resolveAdminUrl } from '../config/resolve';
import { moderationQueueUrl } from '../config/urls';

export type EmailContent = { subject: string; text: string; html: string };

/** What one claimed email says and to whom; `drop`: nothing to send for its period (a digest). */
export type Composed = { to?: string | null; content: EmailContent | null; drop?: boolean };

/**
 * The composer of a batch of claimed emails (services/outbox.ts): the data they need (messages,
 * subjects, reports, digests, addresses) is read for the whole batch at once, then each email is
 * composed from it with the site's email texts.
 */
export const emailComposer = async (strapi: Core.Strapi, emails: outboxRepo.OutboxRow[]) => {
  const settings = await getService('settings').get();
  const messages = new Map((await messagesRepo.findMessagesByIds(strapi.db.connection, emails.map((e) => e.messageId).filter((id): id is number => id !== null))).map((m) => [m.id, m]));
  const fileCounts = await countAttachments(strapi.db.connection, [...messages.keys()]);
  const threads = await threadsRepo.findThreadSubjects(strapi.db.connection, emails.map((e) => e.threadId ?? 0));
  const reports = new Map((await reportsRepo.findReportsByIds(strapi.db.connection, emails.map((e) => e.reportId ?? 0))).map((r) => [r.id, r]));
  const reportMessages = new Map(
    (await messagesRepo.findMessagesByIds(strapi.db.connection, [...reports.values()].map((r) => r.messageId ?? 0))).map((m) => [m.id, m])
  );
  const digests = await getService('digest').contents(emails.filter((e) => e.event === 'digest'));
  const people = await createUsersRepository(strapi).findContacts([
    ...emails.map((e) => e.userId ?? 0),
    ...[...messages.values()].map((m) => m.authorId ?? 0),
    ...[...reports.values()].map((r) => r.reporterId ?? 0),
  ]);
  const adminUrl = moderationQueueUrl(resolveAdminUrl(strapi.config.get('plugin::private-messages')), strapi.config.get('admin.absoluteUrl'));

  const compose = (entry: outboxRepo.OutboxRow): Composed => {
    if (entry.event === 'digest') {
      const digest = digests.get(entry.id);
      // Nothing unread from the period (or no address): dropped, nothing sent.
      if (!digest) return { content: null, drop: true };
      return { to: digest.to, content: { subject: digest.subject, text: digest.text, html: digest.html } };
    }
    if (entry.event === 'report') {
      const report = reports.get(entry.reportId ?? 0);
      const reported = report ? reportMessages.get(report.messageId ?? 0) : undefined;
      const content = reportEmail(
        { reporterName: people.get(report?.reporterId ?? 0)?.username ?? 'A user', reason: report?.reason ?? '', excerpt: reported?.excerpt ?? '', adminUrl },
        settings
      );
      return { to: entry.email, content };
    }
    const message = messages.get(entry.messageId ?? 0);
    const thread = threads.get(entry.threadId ?? 0);
    const to = people.get(entry.userId ?? 0)?.email;
    if (!message || !thread || message.deletedAt) return { to, content: null };
    const content = messageEmail(
      {
        senderName: people.get(message.authorId ?? 0)?.username ?? 'Someone',
        subject: thread.subject,
        excerpt: message.excerpt,
        url: threadUrl(settings.threadUrlTemplate, thread.documentId),
        isNewThread: entry.event === 'new_thread',
        attachments: fileCounts.get(message.id) ?? 0,
      },
      settings
    );
    return { to, content };
  };
  return compose;
};
