import { createHash, randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { RealtimeConfig } from '../config/defaults';
import { parseEventId } from '../realtime/sse';
import * as streamRepo from '../repositories/stream';
import { createDocumentId } from '../utils/ids';

/** 256 random bits, base64url: 43 characters. */
const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** The window `ticketsPerMinute` counts in. */
export const TICKET_RATE_WINDOW_MS = 60_000;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** 429 in Strapi's error shape; the controller copies `retryAfter` into the Retry-After header. */
const tooMany = (message: string, retryAfterMs: number) => {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new errors.RateLimitError(message, { retryAfter });
};

export type TicketUse = { userId: number; expiresAt: Date; resume: string };

/**
 * Tickets for the browser's native EventSource, which cannot send an Authorization header: a
 * random token in the URL, stored only as its SHA-256 (a database leak gives no working ticket),
 * in a table every instance reads, bound to the user and to the credential it was bought with
 * (it expires after `ticketSeconds`, or with that JWT if sooner).
 *
 * A URL ends up in request logs (the server's, a proxy's), so a ticket opens one stream only: its
 * first use stores the hash of a new random resume secret, which is the first part of every event
 * id that stream is sent. EventSource reconnects to the same URL with the last id in its
 * Last-Event-ID header, a header no log keeps: the used ticket is honoured again only with that
 * secret, on any instance, until it expires. A ticket read from a log is worth nothing.
 */
export const createTickets = (strapi: Core.Strapi, config: () => RealtimeConfig) => ({
  /** A new ticket, or a 429 past the user's rate (`ticketsPerMinute`) or unused tickets (`maxTicketsPerUser`). */
  async issue(userId: number, credentialExpiresAt: number | null) {
    const db = strapi.db.connection;
    const now = new Date();
    const counts = await streamRepo.ticketCounts(db, userId, new Date(now.getTime() - TICKET_RATE_WINDOW_MS), now);
    if (counts.recent >= config().ticketsPerMinute) {
      throw tooMany(`At most ${config().ticketsPerMinute} stream tickets a minute`, counts.oldestRecent!.getTime() + TICKET_RATE_WINDOW_MS - now.getTime());
    }
    if (counts.unused >= config().maxTicketsPerUser) {
      throw tooMany(`At most ${config().maxTicketsPerUser} unused stream tickets`, counts.soonestUnusedExpiry!.getTime() - now.getTime());
    }
    const ttlEnd = now.getTime() + config().ticketSeconds * 1000;
    const expiresAt = new Date(credentialExpiresAt === null ? ttlEnd : Math.min(ttlEnd, credentialExpiresAt));
    const ticket = randomBytes(32).toString('base64url');
    await streamRepo.insertTicket(db, { tokenHash: hashOf(ticket), userId, expiresAt, documentId: createDocumentId(), now });
    return { ticket, expiresAt: expiresAt.toISOString() };
  },

  /**
   * Who a live ticket stands for, and the resume secret of its stream: a new one on its first use,
   * the stored one when `resumeHeader` (the Last-Event-ID header) proves it. Null: unknown,
   * malformed, expired, or used without its secret.
   */
  async use(ticket: string, resumeHeader: string | undefined): Promise<TicketUse | null> {
    if (!TICKET_PATTERN.test(ticket)) return null;
    const db = strapi.db.connection;
    const tokenHash = hashOf(ticket);
    let found = await streamRepo.findLiveTicket(db, tokenHash, new Date());
    if (found && found.resumeHash === null) {
      const resume = randomBytes(16).toString('base64url');
      if (await streamRepo.claimTicket(db, found.id, hashOf(resume))) return { userId: found.userId, expiresAt: found.expiresAt, resume };
      // Another first connection claimed it meanwhile: this one needs the secret, like any reconnect.
      found = await streamRepo.findLiveTicket(db, tokenHash, new Date());
    }
    if (!found?.resumeHash) return null;
    const resume = parseEventId(resumeHeader)?.resume;
    return resume && hashOf(resume) === found.resumeHash ? { userId: found.userId, expiresAt: found.expiresAt, resume } : null;
  },
});
