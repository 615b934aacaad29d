import type { Core } from '@strapi/strapi';
import { as } from './api';
import type { TestUser } from './users';

export type SearchPage = { data: any[]; meta: { nextCursor: string | null } };

/** One page of GET /search as `user`. */
export const searchPage = async (strapi: Core.Strapi, user: TestUser, query: Record<string, string | number>, status = 200) => {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return (await as(strapi, user).get(`/search?${qs}`).expect(status)).body as SearchPage;
};

/** Every result of a search, following nextCursor: the messages' ids, newest first. */
export const searchAll = async (strapi: Core.Strapi, user: TestUser, query: Record<string, string | number>, limit = 100) => {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: SearchPage = await searchPage(strapi, user, { ...query, limit, ...(cursor ? { cursor } : {}) });
    ids.push(...page.data.map((hit) => hit.message.id as string));
    cursor = page.meta.nextCursor;
  } while (cursor);
  return ids;
};

/** Every message of a thread as `user` sees it in the thread view (all pages), oldest first; null when it is a 404. */
export const threadMessages = async (strapi: Core.Strapi, user: TestUser, threadId: string) => {
  const first = await as(strapi, user).get(`/threads/${threadId}?limit=100`);
  if (first.status === 404) return null;
  const messages: any[] = [...first.body.data.messages];
  let before: string | null = first.body.meta.olderCursor;
  while (before) {
    const page = (await as(strapi, user).get(`/threads/${threadId}/messages?limit=100&before=${encodeURIComponent(before)}`).expect(200)).body;
    messages.unshift(...page.data);
    before = page.meta.olderCursor;
  }
  return messages;
};
