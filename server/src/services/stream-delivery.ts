import type { Knex } from 'knex';
import type { Fact } from '../realtime/bus';
import type { Connection, StreamHub } from '../realtime/hub';
import * as streamRepo from '../repositories/stream';
import { countUnreadMany } from '../repositories/unread-counts';
import { yieldToEventLoop } from '../repositories/db';

const FIRST_COUNTS_PER_STATEMENT = 1000;

/**
 * What one fact means for the users this instance follows: who may hear of a message is decided
 * with the visibility rule of the REST routes, in one set-based statement per fact
 * (repositories/stream.ts `messageRecipients`); unread counts come from their one definition
 * (countUnreadMany). Payloads are ids and counters.
 */
export const createStreamDelivery = (knex: () => Knex, hubOf: () => StreamHub | null) => {
  const sendUnreadCounts = async (userIds: number[]) => {
    const hub = hubOf();
    if (!hub || userIds.length === 0) return;
    for (const [userId, counts] of await countUnreadMany(knex(), [...new Set(userIds)])) hub.send(userId, 'unread-count', counts);
  };

  return {
    /** Sends each followed user what they may see of the fact; `recheck` for a fact about who may listen. */
    async handle(fact: Fact, recheck: (userIds: number[]) => Promise<void>) {
      const hub = hubOf();
      if (!hub) return;
      if (fact.t === 'm') {
        const followed = hub.followedUserIds();
        if (followed.length === 0) return;
        const recipients = await streamRepo.messageRecipients(knex(), fact.m, followed, fact.k);
        for (const r of recipients) {
          // A pending message request is silent: its unread count only.
          if (r.request) continue;
          if (fact.k === 'deleted') hub.send(r.userId, 'thread.updated', { threadId: r.threadId });
          else hub.send(r.userId, 'message.created', { threadId: r.threadId, messageId: r.messageId });
        }
        if (fact.k !== 'deleted') await sendUnreadCounts(recipients.map((r) => r.userId));
      } else if (fact.t === 'u') {
        if (!hub.isFollowed(fact.u)) return;
        for (const threadId of fact.th) hub.send(fact.u, 'thread.updated', { threadId });
        await sendUnreadCounts([fact.u]);
      } else if (fact.t === 'r') {
        await recheck([fact.u]);
      } else if (fact.t === 'e') {
        hub.endUsers([fact.u]);
      }
    },

    /**
     * New streams' first unread counts (to each alone: the user's other streams have theirs), for
     * all the streams opened since the last call at once: one statement per thousand users, not
     * one per stream, and the event loop gets a turn between them.
     */
    async firstUnreadCounts(connections: Connection[]) {
      const waiting = connections.filter((c) => !c.closed);
      const userIds = [...new Set(waiting.map((c) => c.userId))];
      const counts = new Map<number, { threads: number; messages: number }>();
      for (let i = 0; i < userIds.length; i += FIRST_COUNTS_PER_STATEMENT) {
        if (i > 0) await yieldToEventLoop();
        for (const [userId, count] of await countUnreadMany(knex(), userIds.slice(i, i + FIRST_COUNTS_PER_STATEMENT))) counts.set(userId, count);
      }
      const hub = hubOf();
      if (!hub) return;
      for (const connection of waiting) {
        const count = counts.get(connection.userId);
        if (count) hub.sendTo(connection, 'unread-count', count);
      }
    },
  };
};
