import type { Core } from '@strapi/strapi';
import * as membershipsRepo from '../repositories/memberships';
import { searchMessages } from '../repositories/message-search';
import { mapMessageRow } from '../repositories/messages';
import { toInt } from '../repositories/db';
import { decodeIntegerCursor, encodeCursor } from '../utils/cursor';
import { notFound, validationError } from '../utils/errors';
import { getService } from '../utils/get-service';
import { plainTextOf } from '../utils/plain-text';
import { parseQuery } from '../utils/search-text';
import { snippetOf } from './search-snippet';
import type { SearchQueryInput } from '../validation/search';
import type { Actor } from './people';

export const DEFAULT_SEARCH_PAGE = 20;

/**
 * Search in the caller's own messages (GET /search). What matches is utils/search-text (the same
 * tokens on every database); what the caller gets is only ever what the thread view would show
 * them (repositories/message-search applies visibility.seenBy): deleted messages only to those who
 * may view deleted messages, as the thread view shows their bodies.
 */
const searchService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const secret = () => getService('settings').cursorSecret();

  /** The words of `q`, or a 400 naming it (only punctuation: nothing the index could match). */
  const wordsOf = (q: string) => {
    const parsed = parseQuery(q);
    if (!parsed) throw validationError('Invalid query: q holds no words', [{ path: ['q'], message: 'must hold letters or digits' }]);
    return parsed.words;
  };

  return {
    wordsOf,

    async search(viewer: Actor, query: SearchQueryInput) {
      const words = wordsOf(query.q);
      const limit = query.limit ?? DEFAULT_SEARCH_PAGE;
      let beforeId: number | undefined;
      if (query.cursor) {
        const values = decodeIntegerCursor(query.cursor, secret(), 1);
        if (!values) throw validationError('Invalid cursor', [{ path: ['cursor'], message: 'is not a valid cursor' }]);
        beforeId = values[0];
      }
      let threadId: number | undefined;
      if (query.thread) {
        const view = await membershipsRepo.findActiveMembership(knex(), viewer.id, query.thread);
        if (!view) throw notFound('Thread');
        threadId = view.thread.id;
      }
      const withDeleted = await getService('people').canViewDeleted(viewer);
      const rows = await searchMessages(
        knex(),
        viewer.id,
        words,
        {
          threadId,
          participantId: query.participant,
          after: query.after ? new Date(query.after) : undefined,
          before: query.before ? new Date(query.before) : undefined,
          beforeId,
          withDeleted,
        },
        limit + 1
      );
      const page = rows.slice(0, limit);
      const messages = page.map(mapMessageRow);
      const presented = await getService('inbox').presentMessageRows(
        viewer,
        messages,
        new Map(page.map((r) => [toInt(r.thread_id), String(r.thread_document_id)])),
        new Map(page.map((r) => [toInt(r.thread_id), toInt(r.viewer_last_read)])),
        withDeleted
      );
      return {
        data: page.map((r, i) => ({
          message: presented[i],
          thread: { id: String(r.thread_document_id), subject: String(r.thread_subject ?? '') },
          snippet: snippetOf(plainTextOf(messages[i].body), words),
        })),
        meta: { nextCursor: rows.length > limit ? encodeCursor([messages[messages.length - 1].id], secret()) : null },
      };
    },
  };
};

export default searchService;
