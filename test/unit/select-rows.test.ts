/**
 * selectRows (server/src/repositories/dialect/prepared.ts) on a real SQLite database through knex,
 * configured as Strapi configures it (better-sqlite3, one connection): the rows knex would return,
 * the prepared statements reused per connection within a bound, transactions honoured, knex's
 * `query` event emitted.
 */
import knexFactory, { type Knex } from 'knex';
import { selectRows, STATEMENTS_PER_CONNECTION } from '../../server/src/repositories/dialect';

let knex: Knex;
let prepared: string[];

beforeEach(async () => {
  knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      // Counts the statements knex's connection prepares (ours and knex's own).
      afterCreate: (conn: { prepare: (sql: string) => unknown }, done: (e: Error | null, c: unknown) => void) => {
        const prepare = conn.prepare.bind(conn);
        conn.prepare = (sql: string) => {
          prepared.push(sql);
          return prepare(sql);
        };
        done(null, conn);
      },
    },
  });
  prepared = [];
  await knex.schema.createTable('items', (t) => {
    t.increments('id');
    t.string('name');
    t.boolean('active');
    t.datetime('at');
  });
  const at = new Date('2026-01-02T03:04:05.000Z');
  await knex('items').insert([
    { name: 'a', active: true, at },
    { name: 'b', active: false, at },
    { name: 'c', active: true, at: new Date(at.getTime() + 1000) },
  ]);
  prepared = [];
});

afterEach(() => knex.destroy());

describe('selectRows on SQLite', () => {
  it('returns what knex returns, with booleans and dates bound as knex binds them', async () => {
    const query = () => knex('items').select('id', 'name').where('active', true).andWhere('at', '>', new Date('2026-01-02T03:04:05.500Z'));
    expect(await selectRows(knex, query())).toEqual(await query());
    expect(await selectRows(knex, query())).toEqual([{ id: 3, name: 'c' }]);
    expect(await selectRows(knex, knex.raw('select count(*) as n from items where name in (?, ?)', ['a', 'b']))).toEqual([{ n: 2 }]);
  });

  it('prepares a statement once per connection and reuses it', async () => {
    const query = () => knex('items').select('name').where('id', 2);
    for (let i = 0; i < 5; i += 1) expect(await selectRows(knex, query())).toEqual([{ name: 'b' }]);
    expect(prepared).toHaveLength(1);
    await query();
    expect(prepared).toHaveLength(2); // knex itself prepares anew each time
  });

  it('keeps at most STATEMENTS_PER_CONNECTION statements, dropping the least recently used', async () => {
    const byArity = (n: number) => knex('items').select('id').whereIn('id', Array.from({ length: n }, (_, i) => i + 1));
    await selectRows(knex, byArity(1));
    for (let n = 2; n <= STATEMENTS_PER_CONNECTION; n += 1) await selectRows(knex, byArity(n));
    await selectRows(knex, byArity(1)); // still cached: now the most recent
    expect(prepared).toHaveLength(STATEMENTS_PER_CONNECTION);
    await selectRows(knex, byArity(STATEMENTS_PER_CONNECTION + 1)); // evicts arity 2, the oldest
    await selectRows(knex, byArity(1));
    expect(prepared).toHaveLength(STATEMENTS_PER_CONNECTION + 1);
    await selectRows(knex, byArity(2));
    expect(prepared).toHaveLength(STATEMENTS_PER_CONNECTION + 2);
  });

  it("reads a transaction's own writes through the transaction's connection", async () => {
    await knex.transaction(async (trx) => {
      await trx('items').insert({ name: 'd', active: true, at: new Date() });
      expect((await selectRows(trx, trx('items').count({ n: '*' })))[0]).toEqual({ n: 4 });
    });
    await expect(
      knex.transaction(async (trx) => {
        await trx('items').where('name', 'a').del();
        expect(await selectRows(trx, trx('items').select('name').orderBy('name'))).toEqual([{ name: 'b' }, { name: 'c' }, { name: 'd' }]);
        throw new Error('roll back');
      })
    ).rejects.toThrow('roll back');
    expect(await selectRows(knex, knex('items').select('name').orderBy('name'))).toHaveLength(4);
  });

  it("emits knex's query event", async () => {
    const seen: { sql: string; bindings: unknown[] }[] = [];
    knex.on('query', (q) => seen.push({ sql: q.sql, bindings: q.bindings }));
    await selectRows(knex, knex('items').select('name').where('id', 1));
    expect(seen).toEqual([{ sql: 'select `name` from `items` where `id` = ?', bindings: [1] }]);
  });
});
