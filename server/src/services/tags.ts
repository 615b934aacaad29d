import type { Core } from '@strapi/strapi';
import { inTransaction } from '../utils/transaction';
import * as readStateRepo from '../repositories/membership-read-state';
import * as tagsRepo from '../repositories/tags';
import type { Db } from '../repositories/db';
import { isUniqueViolation } from '../repositories/dialect';
import type { TagRow } from '../repositories/tags';
import { EVENTS } from '../events';
import { conflict, notFound } from '../utils/errors';
import { getService } from '../utils/get-service';
import type { Actor } from './people';
import { resolveOwnTags as resolveOwn, tagNameKey } from './own-tags';

export type TagSummary = { id: string; name: string };

const present = (t: TagRow): TagSummary => ({ id: t.documentId, name: t.name });

/**
 * Per-user tags: a tag belongs to its owner alone. Someone else's tag is indistinguishable from
 * one that does not exist (404), names are unique per owner ignoring case (409), and a tag is
 * applied to the owner's membership of a thread, so other members never see it. Which tags are
 * the viewer's, and what makes two names one: services/own-tags.ts (the inbox reads them there).
 */
const tagsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  const duplicate = (existing: TagRow | null, name: string) =>
    conflict(`You already have a tag named "${existing?.name ?? name}"`, existing ? { tag: present(existing) } : {});

  /** Runs `write`, turning a unique-index violation (a concurrent duplicate) into the same 409. */
  const guardDuplicate = async <T>(viewer: Actor, name: string, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw duplicate(await tagsRepo.findTagByKey(knex(), viewer.id, tagNameKey(name)), name);
    }
  };

  return {
    /** Applies the viewer's tags to these (locked) memberships of theirs, inside the caller's transaction. */
    async addIn(trx: Db, viewer: Actor, membershipIds: number[], tagDocumentIds: string[]) {
      const tags = await resolveOwn(trx, viewer, tagDocumentIds);
      await tagsRepo.addTagsToMemberships(trx, membershipIds, tags.map((t) => t.id));
    },

    /** Takes the viewer's tags off these (locked) memberships of theirs, inside the caller's transaction. */
    async removeIn(trx: Db, viewer: Actor, membershipIds: number[], tagDocumentIds: string[]) {
      const tags = await resolveOwn(trx, viewer, tagDocumentIds);
      await tagsRepo.removeTagsFromMemberships(trx, membershipIds, tags.map((t) => t.id));
    },

    async list(viewer: Actor): Promise<TagSummary[]> {
      return (await tagsRepo.listTags(knex(), viewer.id)).map(present);
    },

    async create(viewer: Actor, rawName: string): Promise<TagSummary> {
      const name = rawName.normalize('NFC');
      const nameKey = tagNameKey(name);
      const tag = await guardDuplicate(viewer, name, () =>
        inTransaction(strapi, async (trx) => {
          const existing = await tagsRepo.findTagByKey(trx, viewer.id, nameKey);
          if (existing) throw duplicate(existing, name);
          return tagsRepo.insertTag(trx, { ownerId: viewer.id, name, nameKey, now: new Date() });
        })
      );
      return present(tag);
    },

    /** Renames a tag; changing only the case of its own name is fine, taking another tag's name is a 409. */
    async rename(viewer: Actor, tagDocumentId: string, rawName: string): Promise<TagSummary> {
      const name = rawName.normalize('NFC');
      const nameKey = tagNameKey(name);
      const tag = await guardDuplicate(viewer, name, () =>
        inTransaction(strapi, async (trx) => {
          const [own] = await resolveOwn(trx, viewer, [tagDocumentId]);
          const existing = await tagsRepo.findTagByKey(trx, viewer.id, nameKey);
          if (existing && existing.id !== own.id) throw duplicate(existing, name);
          await tagsRepo.renameTag(trx, own.id, { name, nameKey, now: new Date() });
          return { ...own, name, nameKey };
        })
      );
      return present(tag);
    },

    /** Deletes a tag, taking it off every thread it was on. */
    async remove(viewer: Actor, tagDocumentId: string): Promise<void> {
      await inTransaction(strapi, async (trx) => {
        const [own] = await resolveOwn(trx, viewer, [tagDocumentId]);
        await tagsRepo.deleteTag(trx, own.id);
      });
    },

    /**
     * Makes `tagDocumentIds` exactly the viewer's tags on the thread, and returns the thread as
     * they see it. A thread they are not a member of is a 404, as is any tag not theirs; either
     * way nothing changes.
     */
    async setThreadTags(viewer: Actor, threadDocumentId: string, tagDocumentIds: string[]) {
      await inTransaction(strapi, async (trx) => {
        const [membership] = await readStateRepo.lockActiveMemberships(trx, viewer.id, [threadDocumentId]);
        if (!membership) throw notFound('Thread');
        const tags = await resolveOwn(trx, viewer, tagDocumentIds);
        await tagsRepo.setMembershipTags(trx, membership.id, tags.map((t) => t.id));
      });
      strapi.eventHub.emit(EVENTS.threadsUpdated, { userId: viewer.id, threadIds: [threadDocumentId], change: 'tags' });
      return getService('inbox').getThreadSummary(viewer, threadDocumentId);
    },
  };
};

export default tagsService;
