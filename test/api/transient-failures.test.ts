import { useStrapi } from '../helpers/setup';
import { as, startThread } from '../helpers/api';
import { databaseClient } from '../helpers/databases';

/*
 * A transaction the database aborts for a passing reason (here a trigger raising what a deadlock
 * raises) is run again; when every attempt fails, the answer is a 503 with Retry-After in Strapi's
 * error shape, never a 500, and nothing is stored.
 */
const ctx = useStrapi();
const knex = () => ctx.strapi.db.connection;
const messagesIn = async (threadDocumentId: string) =>
  Number(
    (await knex()('pm_messages as m').join('pm_threads as t', 't.id', 'm.thread_id').where('t.document_id', threadDocumentId).count({ n: '*' }).first())?.n
  );

/* Inserting a message whose body says `fail-always` fails every time; `fail-twice`, the first two
   times (a counter outside the transaction: a sequence, a MEMORY table; SQLite has none). */
const installFailures = async () => {
  const client = databaseClient();
  if (client === 'postgres') {
    await knex().raw('create sequence pm_test_fail_seq');
    await knex().raw(`create function pm_test_fail() returns trigger as $$ begin
      if new.body like '%fail-always%' or (new.body like '%fail-twice%' and nextval('pm_test_fail_seq') <= 2) then
        raise exception 'deadlock detected' using errcode = '40P01';
      end if;
      return new; end $$ language plpgsql`);
    await knex().raw('create trigger pm_test_fail before insert on pm_messages for each row execute function pm_test_fail()');
  } else if (client === 'mysql') {
    await knex().raw('create table pm_test_fail_count (n int) engine = memory');
    await knex().raw('insert into pm_test_fail_count values (0)');
    await knex().raw(`create trigger pm_test_fail before insert on pm_messages for each row begin
      if new.body like '%fail-twice%' then update pm_test_fail_count set n = n + 1; end if;
      if new.body like '%fail-always%' or (new.body like '%fail-twice%' and (select n from pm_test_fail_count) <= 2) then
        signal sqlstate '40001' set mysql_errno = 1213, message_text = 'Deadlock found when trying to get lock';
      end if; end`);
  } else {
    await knex().raw(`create trigger pm_test_fail before insert on pm_messages when new.body like '%fail-always%'
      begin select raise(abort, 'database is locked'); end`);
  }
};

describe('a transaction the database aborts', () => {
  beforeAll(() => installFailures());
  afterAll(async () => {
    await knex().raw('drop trigger if exists pm_test_fail' + (databaseClient() === 'postgres' ? ' on pm_messages' : ''));
  });

  it('answers a 503 with Retry-After when every attempt fails, storing nothing', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    const res = await as(ctx.strapi, ann).post(`/threads/${thread.id}/messages`, { body: 'fail-always' }).expect(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toEqual({
      data: null,
      error: { status: 503, name: 'ServiceUnavailableError', message: expect.any(String), details: { code: 'unavailable', retryAfter: 1 } },
    });
    expect(await messagesIn(thread.id)).toBe(1);
    // A new thread the same.
    await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'fail-always' }).expect(503);
  });

  (databaseClient() === 'sqlite' ? it.skip : it)('runs it again until it goes through: the client sees a 201, one message stored', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await as(ctx.strapi, ann).post(`/threads/${thread.id}/messages`, { body: 'fail-twice' }).expect(201);
    expect(await messagesIn(thread.id)).toBe(2);
  });
});
