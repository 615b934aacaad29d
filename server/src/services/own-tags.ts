import { errors } from '@strapi/utils';
import * as tagsRepo from '../repositories/tags';
import type { Db } from '../repositories/db';
import type { TagRow } from '../repositories/tags';
import type { Actor } from './people';

/*
 * What the tags service and the inbox (its `tag` filter) both need of a user's tags, so that
 * neither calls the other for it: the tags service presents a thread through the inbox, and the
 * inbox reads tags from here, never from the tags service.
 */

/** Two names are the same tag when they are equal ignoring case (after Unicode normalization). */
export const tagNameKey = (name: string) => name.normalize('NFC').toLowerCase();

/**
 * The viewer's tags for these documentIds, in the order given (duplicates dropped). Any id that
 * is not one of the viewer's tags makes it a 404 listing those ids: someone else's tag is
 * indistinguishable from one that does not exist.
 */
export const resolveOwnTags = async (db: Db, viewer: Actor, documentIds: string[]): Promise<TagRow[]> => {
  const unique = [...new Set(documentIds)];
  const found = new Map((await tagsRepo.findOwnTags(db, viewer.id, unique)).map((t) => [t.documentId, t]));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) throw new errors.NotFoundError('Tag not found', { tagIds: missing });
  return unique.map((id) => found.get(id) as TagRow);
};
