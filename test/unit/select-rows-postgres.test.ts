/**
 * selectRows and whereIdIn (server/src/repositories/dialect/prepared.ts) on the real PostgreSQL
 * server (run with DATABASE_CLIENT=postgres, as CI does): hot reads become named prepared
 * statements, one per query shape whatever the number of ids, and
 * PRIVATE_MESSAGES_PREPARED_STATEMENTS=false turns them off.
 * One pooled connection, so pg_prepared_statements (per session) shows what it prepared.
 */
import type { Knex } from 'knex';
import { selectRows, statementName, whereIdIn } from '../../server/src/repositories/dialect';
import { pgAdmin } from '../helpers/strapi';

const onPostgres = process.env.DATABASE_CLIENT === 'postgres' ? describe : describe.skip;

onPostgres('selectRows on PostgreSQL', () => {
  let knex: Knex;

  const preparedNames = async () =>
    (await knex.raw(`select name from pg_prepared_statements where name like 'pm\\_%' order by name`)).rows.map((r: { name: string }) => r.name);
  const byIds = (ids: number[]) => whereIdIn(knex, knex('pm_items').select('id', 'name'), 'id', ids).orderBy('id');

  beforeEach(async () => {
    knex = pgAdmin(); // one pooled connection: the temporary table and the prepared statements are that session's
    await knex.raw('create temporary table pm_items (id integer primary key, name text)');
    await knex('pm_items').insert([1, 2, 3, 4, 5].map((id) => ({ id, name: `row ${id}` })));
  });

  afterEach(async () => {
    delete process.env.PRIVATE_MESSAGES_PREPARED_STATEMENTS;
    await knex.destroy();
  });

  it('returns the rows knex returns, through one named statement per query shape', async () => {
    expect(await selectRows(knex, byIds([2, 4]))).toEqual([
      { id: 2, name: 'row 2' },
      { id: 4, name: 'row 4' },
    ]);
    expect(await selectRows(knex, byIds([1, 3, 5]))).toEqual(await knex('pm_items').select('id', 'name').whereIn('id', [1, 3, 5]).orderBy('id'));
    expect(await selectRows(knex, byIds([5]))).toEqual([{ id: 5, name: 'row 5' }]);
    expect(await preparedNames()).toEqual([statementName(byIds([1]).toSQL().sql)]);
  });

  it('prepares nothing when PRIVATE_MESSAGES_PREPARED_STATEMENTS is false', async () => {
    process.env.PRIVATE_MESSAGES_PREPARED_STATEMENTS = 'false';
    expect(await selectRows(knex, byIds([1, 2]))).toHaveLength(2);
    expect(await preparedNames()).toEqual([]);
  });
});
