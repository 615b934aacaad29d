import { bootStrapi, stopStrapi, type TestStrapi } from '../helpers/strapi';

/**
 * Strapi skips a plugin whose dist/ is missing without a word, and builds the columns and
 * indexes the hot paths rely on only from the schemas: check both against the real database.
 */
let strapi: TestStrapi;
beforeAll(async () => {
  strapi = await bootStrapi();
});
afterAll(() => stopStrapi(strapi));

const columnsOf = async (table: string) => Object.keys(await strapi.db.connection(table).columnInfo());

const indexesOf = async (table: string): Promise<Record<string, string[]>> => {
  const knex = strapi.db.connection;
  if (process.env.DATABASE_CLIENT === 'postgres') {
    const { rows } = await knex.raw(
      `select i.relname as name, a.attname as column, array_position(ix.indkey, a.attnum) as pos
         from pg_class t join pg_index ix on t.oid = ix.indrelid join pg_class i on i.oid = ix.indexrelid
         join pg_attribute a on a.attrelid = t.oid and a.attnum = any(ix.indkey)
        where t.relname = ? order by name, pos`,
      [table]
    );
    const out: Record<string, string[]> = {};
    for (const r of rows) (out[r.name] ??= []).push(r.column);
    return out;
  }
  const list = await knex.raw(`pragma index_list('${table}')`);
  const out: Record<string, string[]> = {};
  for (const idx of list) {
    const info = await knex.raw(`pragma index_info('${idx.name}')`);
    out[idx.name] = info.sort((a: any, b: any) => a.seqno - b.seqno).map((c: any) => c.name);
  }
  return out;
};

describe('the plugin in a real Strapi', () => {
  it('registers its content types, hidden from the content manager', () => {
    for (const name of ['thread', 'message', 'membership', 'tag', 'block', 'preference', 'report', 'outbox-entry', 'suspension', 'stream-ticket', 'stream-event']) {
      const model = strapi.getModel(`plugin::private-messages.${name}` as any) as any;
      expect(model).toBeDefined();
      expect(model.pluginOptions['content-manager'].visible).toBe(false);
    }
  });

  it('stores relations the hot paths filter on as columns, not link tables', async () => {
    expect(await columnsOf('pm_memberships')).toEqual(expect.arrayContaining(['thread_id', 'user_id', 'last_activity_at', 'in_inbox', 'unread_count', 'last_read_message_id', 'visible_after_message_id', 'removed_at', 'left_at']));
    expect(await columnsOf('pm_messages')).toEqual(expect.arrayContaining(['thread_id', 'author_id', 'deleted_at']));
    expect(await columnsOf('pm_blocks')).toEqual(expect.arrayContaining(['blocker_id', 'blocked_id']));
    expect(await columnsOf('pm_tags')).toEqual(expect.arrayContaining(['owner_id', 'name_key']));
    expect(await columnsOf('pm_suspensions')).toEqual(expect.arrayContaining(['user_id', 'suspended_at', 'suspended_by_id', 'report_id', 'note']));
  });

  it('declares the indexes the inbox, unread count and message pages use', async () => {
    const memberships = await indexesOf('pm_memberships');
    expect(memberships.pm_memberships_inbox_idx).toEqual(['user_id', 'in_inbox', 'last_activity_at', 'thread_id']);
    expect(memberships.pm_memberships_unread_idx).toEqual(['user_id', 'unread_count']);
    expect(memberships.pm_memberships_thread_user_uq).toEqual(['thread_id', 'user_id']);
    expect((await indexesOf('pm_messages')).pm_messages_thread_order_idx).toEqual(['thread_id', 'id']);
    expect((await indexesOf('pm_blocks')).pm_blocks_pair_uq).toEqual(['blocker_id', 'blocked_id']);
    // The send gate's suspension lookup, once per send.
    expect((await indexesOf('pm_suspensions')).pm_suspensions_user_uq).toEqual(['user_id']);
    // The stream's ticket check, on every EventSource (re)connection.
    expect((await indexesOf('pm_stream_tickets')).pm_stream_tickets_hash_uq).toEqual(['token_hash']);
  });
});
