/*
 * Cursor helpers: lists answer one page and a cursor to the next (`meta.nextCursor`, or
 * `meta.olderCursor` for a thread's messages), null on the last page.
 */

/** Every page, fetched one at a time as the loop asks for it. */
export async function* pages<P>(
  fetchPage: (cursor: string | undefined) => Promise<P>,
  nextCursor: (page: P) => string | null | undefined,
  start?: string | null
): AsyncGenerator<P, void, undefined> {
  // An older-messages walk that starts from a null cursor has nothing to fetch.
  if (start === null) return;
  let cursor: string | undefined = start;
  for (;;) {
    const page = await fetchPage(cursor);
    yield page;
    const next = nextCursor(page);
    if (!next) return;
    cursor = next;
  }
}

/** The items of every page, in order. */
export async function* items<T>(source: AsyncIterable<{ data: T[] }>): AsyncGenerator<T, void, undefined> {
  for await (const page of source) yield* page.data;
}

/** Collects an async iterable (at most `max` items), e.g. `await collect(client.threads.all(), 200)`. */
export const collect = async <T>(source: AsyncIterable<T>, max = Number.POSITIVE_INFINITY): Promise<T[]> => {
  const out: T[] = [];
  if (max <= 0) return out;
  for await (const item of source) {
    out.push(item);
    if (out.length >= max) break;
  }
  return out;
};
