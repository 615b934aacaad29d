import type { Core } from '@strapi/strapi';
import { ownersWithContact } from '../repositories/contacts';

/** The site's own relation: is `otherId` a contact of `userId` (a follower, a friend, a customer)? */
export type ContactHook = (userId: number, otherId: number) => Promise<boolean> | boolean;

/**
 * Who counts as a contact of whom (docs/api.md, *Message requests and who may message me*):
 * someone the user wrote to, someone whose request they accepted, history (repositories/contacts),
 * or whom a hook the site registers says is one:
 *
 *   strapi.plugin('private-messages').service('contacts').register(async (userId, otherId) => follows(userId, otherId));
 *
 * Hooks are asked only about pairs the table does not know. A hook that throws says no (logged):
 * the message then goes as a request, or is refused where the user takes contacts only.
 */
const contactsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const hooks = new Set<ContactHook>();

  return {
    register(hook: ContactHook) {
      if (typeof hook !== 'function') throw new TypeError('A contacts hook must be a function');
      hooks.add(hook);
      return () => hooks.delete(hook);
    },

    /** Of `userIds`, those who count `otherId` as a contact: one statement, then the hooks for the others. */
    async contactsAmong(userIds: number[], otherId: number): Promise<Set<number>> {
      const found = await ownersWithContact(strapi.db.connection, userIds, otherId);
      if (hooks.size === 0) return found;
      const rest = userIds.filter((id) => !found.has(id));
      const asked = await Promise.all(
        rest.map(async (userId) => {
          for (const hook of hooks) {
            try {
              if (await hook(userId, otherId)) return userId;
            } catch (error) {
              strapi.log.error(`[private-messages] contacts hook failed: ${(error as Error)?.message ?? error}`);
            }
          }
          return null;
        })
      );
      for (const id of asked) if (id !== null) found.add(id);
      return found;
    },
  };
};

export default contactsService;
