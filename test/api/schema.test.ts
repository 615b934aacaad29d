import { bootStrapi, isMysql, isPostgres, stopStrapi, type TestStrapi } from '../helpers/strapi';
import contentTypes from '../../server/src/content-types';

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

type IndexRow = { name: string; column: string; unique: boolean };

/** Every index of `table`, one row per column in index order, read from each database's own catalogue. */
const indexRows = async (table: string): Promise<IndexRow[]> => {
  const knex = strapi.db.connection;
  if (isPostgres()) {
    const { rows } = await knex.raw(
      `select i.relname as name, a.attname as column, ix.indisunique as unique, array_position(ix.indkey, a.attnum) as pos
         from pg_class t join pg_index ix on t.oid = ix.indrelid join pg_class i on i.oid = ix.indexrelid
         join pg_attribute a on a.attrelid = t.oid and a.attnum = any(ix.indkey)
        where t.relname = ? order by name, pos`,
      [table]
    );
    return rows.map((r: any) => ({ name: r.name, column: r.column, unique: r.unique === true }));
  }
  if (isMysql()) {
    const [rows] = await knex.raw(
      `select index_name as name, column_name as \`column\`, non_unique as non_unique
         from information_schema.statistics
        where table_schema = database() and table_name = ? order by index_name, seq_in_index`,
      [table]
    );
    return rows.map((r: any) => ({ name: r.name, column: r.column, unique: Number(r.non_unique) === 0 }));
  }
  const out: IndexRow[] = [];
  for (const idx of await knex.raw(`pragma index_list('${table}')`)) {
    const info = await knex.raw(`pragma index_info('${idx.name}')`);
    for (const c of info.sort((a: any, b: any) => a.seqno - b.seqno)) out.push({ name: idx.name, column: c.name, unique: idx.unique === 1 });
  }
  return out;
};

const indexesOf = async (table: string): Promise<Record<string, string[]>> => {
  const out: Record<string, string[]> = {};
  for (const r of await indexRows(table)) (out[r.name] ??= []).push(r.column);
  return out;
};

const uniqueIndexesOf = async (table: string) => new Set((await indexRows(table)).filter((r) => r.unique).map((r) => r.name));

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

type Schema = {
  collectionName: string;
  attributes: Record<string, { type: string; relation?: string }>;
  indexes?: { name: string; columns: string[]; type?: string }[];
};
const SCHEMAS = Object.entries(contentTypes).map(([name, ct]) => ({ name, schema: (ct as { schema: Schema }).schema }));

describe('the plugin in a real Strapi', () => {
  it('registers its content types, hidden from the content manager', () => {
    for (const name of ['thread', 'message', 'membership', 'tag', 'block', 'preference', 'report', 'outbox-entry', 'suspension', 'stream-ticket', 'stream-event', 'context-ask', 'push-subscription']) {
      const model = strapi.getModel(`plugin::private-messages.${name}` as any) as any;
      expect(model).toBeDefined();
      expect(model.pluginOptions['content-manager'].visible).toBe(false);
    }
  });

  it('stores relations the hot paths filter on as columns, not link tables', async () => {
    expect(await columnsOf('pm_memberships')).toEqual(expect.arrayContaining(['thread_id', 'user_id', 'last_activity_at', 'in_inbox', 'unread_count', 'last_read_message_id', 'visible_after_message_id', 'removed_at', 'left_at']));
    expect(await columnsOf('pm_messages')).toEqual(expect.arrayContaining(['thread_id', 'author_id', 'deleted_at']));
    expect(await columnsOf('pm_blocks')).toEqual(expect.arrayContaining(['blocker_id', 'blocked_id', 'after_message_id', 'through_message_id']));
    expect(await columnsOf('pm_context_asks')).toEqual(expect.arrayContaining(['context_uid', 'context_document_id', 'asker_id', 'thread_id']));
    expect(await columnsOf('pm_tags')).toEqual(expect.arrayContaining(['owner_id', 'name_key']));
    expect(await columnsOf('pm_suspensions')).toEqual(expect.arrayContaining(['user_id', 'suspended_at', 'suspended_by_id', 'report_id', 'note']));
  });

  it('declares the indexes the inbox, unread count and message pages use', async () => {
    const memberships = await indexesOf('pm_memberships');
    expect(memberships.pm_memberships_inbox_idx).toEqual(['user_id', 'in_inbox', 'last_activity_at', 'thread_id']);
    expect(memberships.pm_memberships_unread_idx).toEqual(['user_id', 'unread_count']);
    expect(memberships.pm_memberships_thread_user_uq).toEqual(['thread_id', 'user_id']);
    expect((await indexesOf('pm_messages')).pm_messages_thread_order_idx).toEqual(['thread_id', 'id']);
    // A pair's block periods, found by visibility's rule for each message it checks.
    expect((await indexesOf('pm_blocks')).pm_blocks_period_uq).toEqual(['blocker_id', 'blocked_id', 'after_message_id']);
    // The send gate's suspension lookup, once per send.
    expect((await indexesOf('pm_suspensions')).pm_suspensions_user_uq).toEqual(['user_id']);
    // The stream's ticket check, on every EventSource (re)connection.
    expect((await indexesOf('pm_stream_tickets')).pm_stream_tickets_hash_uq).toEqual(['token_hash']);
    // The per-user ticket rate and cap, on every ticket issued.
    expect((await indexesOf('pm_stream_tickets')).pm_stream_tickets_user_idx).toEqual(['user_id', 'created_at']);
    // A send's Idempotency-Key: one per user and key, which makes two racing requests store one message.
    expect((await indexesOf('pm_idempotency_keys')).pm_idempotency_keys_user_key_uq).toEqual(['user_id', 'idempotency_key']);
    // Who may message me: the send gate's contact check, and the requests folder.
    expect((await indexesOf('pm_contacts')).pm_contacts_pair_uq).toEqual(['user_id', 'contact_id']);
    expect(memberships.pm_memberships_requests_idx).toEqual(['user_id', 'request_state', 'last_activity_at', 'thread_id']);
    // A page of messages' attachments, and the staged files the cron deletes.
    expect((await indexesOf('pm_attachments')).pm_attachments_message_idx).toEqual(['message_id']);
    expect((await indexesOf('pm_attachments')).pm_attachments_staged_idx).toEqual(['message_id', 'created_at']);
  });

  it(`has every content type's table, a column for each attribute and each to-one relation (${SCHEMAS.length} content types)`, async () => {
    expect(SCHEMAS.map((s) => s.name).sort()).toEqual(['attachment', 'audit-entry', 'block', 'contact', 'context-ask', 'idempotency-key', 'import-map', 'membership', 'message', 'outbox-entry', 'preference', 'push-subscription', 'report', 'stream-event', 'stream-ticket', 'suspension', 'tag', 'thread']);
    for (const { schema } of SCHEMAS) {
      const expected = Object.entries(schema.attributes).flatMap(([attribute, a]) => {
        if (a.type !== 'relation') return [snake(attribute)];
        return a.relation === 'manyToOne' ? [`${snake(attribute)}_id`] : [];
      });
      expect([schema.collectionName, await columnsOf(schema.collectionName)]).toEqual([schema.collectionName, expect.arrayContaining(expected)]);
    }
  });

  it('creates every index each content type declares, on its columns in order, unique where declared', async () => {
    for (const { schema } of SCHEMAS) {
      const [indexes, unique] = [await indexesOf(schema.collectionName), await uniqueIndexesOf(schema.collectionName)];
      for (const index of schema.indexes ?? []) {
        expect([index.name, indexes[index.name]]).toEqual([index.name, index.columns]);
        expect([index.name, unique.has(index.name)]).toEqual([index.name, index.type === 'unique']);
      }
    }
  });
});
