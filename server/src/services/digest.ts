import { createHmac } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { DigestFrequency } from '../config/defaults';
import { escapeHtml, renderEmail, templateFor } from '../config/email-templates';
import { yieldToEventLoop } from '../repositories/db';
import * as digestsRepo from '../repositories/digests';
import type { OutboxRow } from '../repositories/outbox';
import { createUsersRepository } from '../repositories/users';
import { getService } from '../utils/get-service';
import { threadUrl } from './notification-email';

const DAY = 86_400_000;
/** Users enqueued per statement; the event loop is free between two. */
const ENQUEUE_CHUNK = 500;
/** Threads listed in one digest; more are counted, not listed. */
const MAX_LISTED = 50;

export type Period = { key: string; start: Date; end: Date; label: string };

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The last whole period before `now`, in UTC: yesterday for `daily`, last week (Monday to Monday)
 * for `weekly`. Its key names it (`daily:2026-12-06`, `weekly:2026-11-30`): one digest per user and key.
 */
export const lastPeriod = (frequency: Exclude<DigestFrequency, 'off'>, now: Date): Period => {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (frequency === 'daily') {
    const start = new Date(today - DAY);
    return { key: `daily:${isoDay(start)}`, start, end: new Date(today), label: isoDay(start) };
  }
  const monday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY;
  const start = new Date(monday - 7 * DAY);
  return { key: `weekly:${isoDay(start)}`, start, end: new Date(monday), label: `${isoDay(start)} – ${isoDay(new Date(monday - DAY))}` };
};

/** The period of a digest row's key (lastPeriod's inverse). */
export const periodOf = (key: string): Period => {
  const [frequency, day] = key.split(':');
  const start = new Date(`${day}T00:00:00.000Z`);
  const days = frequency === 'weekly' ? 7 : 1;
  const end = new Date(start.getTime() + days * DAY);
  return { key, start, end, label: days === 1 ? day : `${day} – ${isoDay(new Date(end.getTime() - DAY))}` };
};

/**
 * Digest emails: a cron run enqueues one outbox row per user on a digest and period, and the
 * outbox sends them like any email (claims, retries, fencing). A run repeated, or resumed after a
 * crash, adds nothing twice (one row per user and period); each row's Message-ID is derived from
 * the user and the period (a keyed hash: stable, and telling nobody the user's id).
 */
const digestService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const usersRepo = createUsersRepository(strapi);

  const messageKey = (userId: number, period: string) =>
    createHmac('sha256', getService('settings').cursorSecret()).update(`digest:${userId}:${period}`).digest('hex').slice(0, 16);

  return {
    /** Enqueues the digests of the last whole day and week (those not enqueued yet); the number of users seen. */
    async run(now = new Date()) {
      let seen = 0;
      for (const frequency of ['daily', 'weekly'] as const) {
        const period = lastPeriod(frequency, now);
        let after = 0;
        for (;;) {
          const ids = await digestsRepo.digestUserIds(knex(), frequency, after, ENQUEUE_CHUNK);
          if (ids.length === 0) break;
          await digestsRepo.enqueueDigests(knex(), ids.map((userId) => ({ userId, messageKey: messageKey(userId, period.key) })), period.key, new Date());
          seen += ids.length;
          after = ids[ids.length - 1];
          await yieldToEventLoop();
        }
      }
      if (seen > 0) getService('outbox').kick();
      return seen;
    },

    /**
     * The emails of claimed digest rows, loaded for the batch at once: row id → address and
     * content, or null when the user has nothing unread from the period (then nothing is sent).
     */
    async contents(rows: OutboxRow[]) {
      const out = new Map<number, { to: string; subject: string; text: string; html: string } | null>();
      if (rows.length === 0) return out;
      const settings = await getService('settings').get();
      const byPeriod = new Map<string, OutboxRow[]>();
      for (const row of rows) byPeriod.set(row.digestPeriod ?? '', [...(byPeriod.get(row.digestPeriod ?? '') ?? []), row]);
      for (const [key, group] of byPeriod) {
        const period = periodOf(key);
        const lines = await digestsRepo.unreadForDigest(knex(), group.map((r) => r.userId ?? 0), period.start, period.end);
        const people = await usersRepo.findContacts([...group.map((r) => r.userId ?? 0), ...lines.map((l) => l.authorId ?? 0)]);
        for (const row of group) {
          const to = people.get(row.userId ?? 0)?.email;
          const threads = new Map<number, { subject: string; url: string; authors: Set<string>; unread: number }>();
          for (const l of lines.filter((x) => x.userId === row.userId)) {
            const t = threads.get(l.threadId) ?? { subject: l.subject, url: threadUrl(settings.threadUrlTemplate, l.documentId), authors: new Set<string>(), unread: 0 };
            t.authors.add(people.get(l.authorId ?? 0)?.username ?? '?');
            t.unread += l.unread;
            threads.set(l.threadId, t);
          }
          if (!to || threads.size === 0) {
            out.set(row.id, null);
            continue;
          }
          const listed = [...threads.values()].slice(0, MAX_LISTED);
          const more = threads.size - listed.length;
          const text = listed.map((t) => `- ${t.subject || '(no subject)'} (${[...t.authors].join(', ')}): ${t.unread} unread, ${t.url}`);
          const html = listed.map(
            (t) => `<li><a href="${escapeHtml(t.url)}">${escapeHtml(t.subject || '(no subject)')}</a> (${escapeHtml([...t.authors].join(', '))}): ${t.unread} unread</li>`
          );
          if (more > 0) {
            text.push(`- … ${more} more`);
            html.push(`<li>… ${more} more</li>`);
          }
          const email = renderEmail(templateFor(settings.emailTemplates, settings.emailLocale, 'digest'), {
            count: String(threads.size),
            period: period.label,
            threads: { text: text.join('\n'), html: `<ul>${html.join('')}</ul>` },
          });
          out.set(row.id, { to, ...email });
        }
      }
      return out;
    },
  };
};

export default digestService;
