import { createHash, randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { RealtimeConfig } from '../config/defaults';
import * as streamRepo from '../repositories/stream';
import { createDocumentId } from '../utils/ids';

/** 256 random bits, base64url: 43 characters. */
const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

/**
 * Tickets for the browser's native EventSource, which cannot send an Authorization header: a
 * random token in the URL, stored only as its SHA-256 (a database leak gives no working ticket),
 * in a table every instance reads. Bound to the user and to the credential it was bought with: it
 * expires after `ticketSeconds`, or with that JWT if sooner. It stays valid until then, because
 * EventSource reconnects to the same URL.
 */
export const createTickets = (strapi: Core.Strapi, config: () => RealtimeConfig) => ({
  async issue(userId: number, credentialExpiresAt: number | null) {
    const now = new Date();
    const ttlEnd = now.getTime() + config().ticketSeconds * 1000;
    const expiresAt = new Date(credentialExpiresAt === null ? ttlEnd : Math.min(ttlEnd, credentialExpiresAt));
    const ticket = randomBytes(32).toString('base64url');
    await streamRepo.insertTicket(strapi.db.connection, { tokenHash: hashOf(ticket), userId, expiresAt, documentId: createDocumentId(), now });
    return { ticket, expiresAt: expiresAt.toISOString() };
  },

  /** The user and expiry behind a live ticket, or null (unknown, malformed or expired). */
  async check(ticket: string) {
    if (!TICKET_PATTERN.test(ticket)) return null;
    return streamRepo.findLiveTicket(strapi.db.connection, hashOf(ticket), new Date());
  },
});
