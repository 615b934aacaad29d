import type { Core } from '@strapi/strapi';
import type { RefusalCode } from '../contract/errors';
import type { RecipientRef, Refusal } from '../utils/errors';

/**
 * What a guard is given: the author, the recipients (users), `context.threadId` for replies, and
 * `context.uid` with `context.documentId` when the thread is about a document (services/contexts.ts).
 */
export type GuardInput = {
  author: { id: number; roleId: number | null };
  recipients: RecipientRef[];
  context: { threadId?: string; uid?: string; documentId?: string };
};
export type GuardRefusal = { recipient: RecipientRef | number; code: string; message: string };
export type Guard = (input: GuardInput) => Promise<GuardRefusal[] | void> | GuardRefusal[] | void;

/** The refusal of every recipient when a guard throws (it fails closed). */
export const GUARD_FAILED = 'guard_failed' satisfies RefusalCode;

/**
 * Guards: the counterpart of privatemsg's hook_privatemsg_block_message. Other plugins register
 * a function that may refuse a message per recipient, with their own code and message:
 *
 *   strapi.plugin('private-messages').service('guards').register('office-hours', async ({ author, recipients }) =>
 *     recipients.filter(...).map((recipient) => ({ recipient, code: 'office_hours', message: 'Try again tomorrow' })));
 */
const guardsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const guards = new Map<string, Guard>();

  return {
    register(name: string, guard: Guard) {
      if (typeof guard !== 'function') throw new TypeError(`Guard "${name}" must be a function`);
      guards.set(name, guard);
      return () => guards.delete(name);
    },

    unregister(name: string) {
      guards.delete(name);
    },

    list() {
      return [...guards.keys()];
    },

    /** Every guard's refusals. A guard that throws refuses every recipient (it fails closed) and is logged. */
    async run(input: GuardInput): Promise<Refusal[]> {
      if (guards.size === 0 || input.recipients.length === 0) return [];
      const byId = new Map(input.recipients.map((r) => [r.id, r]));
      const results = await Promise.all(
        [...guards.entries()].map(async ([name, guard]) => {
          try {
            const refusals = (await guard(input)) ?? [];
            return refusals
              .map((r) => ({
                recipient: typeof r.recipient === 'number' ? byId.get(r.recipient) : byId.get(r.recipient?.id),
                code: String(r.code || name),
                message: String(r.message ?? ''),
              }))
              .filter((r): r is Refusal => r.recipient !== undefined);
          } catch (error) {
            strapi.log.error(`[private-messages] guard "${name}" failed, refusing: ${(error as Error)?.stack ?? error}`);
            return input.recipients.map((recipient) => ({
              recipient,
              code: GUARD_FAILED,
              message: 'This message could not be checked and was not sent',
            }));
          }
        })
      );
      return results.flat();
    },
  };
};

export default guardsService;
