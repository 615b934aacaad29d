import { useStrapi } from '../helpers/setup';
import { as, startThread } from '../helpers/api';
import { databaseClient, mysqlAdmin, pgAdmin } from '../helpers/databases';
import type { TestUser } from '../helpers/users';

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

/*
 * Connections lost at the worst moments. A hook on the driver's query runs the armed fault on the
 * statement it names: on PostgreSQL and MariaDB the statement's own connection is killed from
 * another one (pg_terminate_backend, KILL: what the soak does to every connection), so the error is
 * the driver's own; SQLite has no connection to lose, and the hook throws what a lost one throws.
 */
type Fault = { sql: RegExp; when: 'before' | 'after' };
let armed: Fault | null = null;
let hooked: { proto: any; own: boolean; original: any } | null = null;

const lostConnection = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
const kill = async (connection: any) => {
  const client = databaseClient();
  if (client === 'sqlite') return;
  const admin = client === 'postgres' ? pgAdmin() : mysqlAdmin();
  try {
    if (client === 'postgres') await admin.raw('select pg_terminate_backend(?)', [connection.processID]);
    else await admin.raw(`KILL ${Number(connection.threadId)}`);
  } finally {
    await admin.destroy();
  }
  // The server ends the backend a moment after the signal.
  await new Promise((resolve) => setTimeout(resolve, 300));
};

/* Arms a fault once the drains earlier requests kicked are done (they would meet it first). */
const arm = async (fault: Fault) => {
  await ctx.strapi.plugin('private-messages').service('outbox').idle();
  armed = fault;
};

const hookQueries = () => {
  const proto = Object.getPrototypeOf(knex().client);
  const original = proto._query;
  hooked = { proto, own: Object.prototype.hasOwnProperty.call(proto, '_query'), original };
  proto._query = async function (this: unknown, connection: any, obj: { sql: string }) {
    // Only a request's statements (not the cron's drains; the tests wait for the kicked ones).
    const fault = armed && armed.sql.test(obj.sql) && (ctx.strapi as any).requestContext.get() ? armed : null;
    if (!fault) return original.call(this, connection, obj);
    armed = null;
    if (fault.when === 'before') {
      // The connection dies before the statement reaches the server: the driver's error.
      if (databaseClient() === 'sqlite') throw lostConnection();
      await kill(connection);
      return original.call(this, connection, obj);
    }
    // The statement went through; the connection dies before its answer is read.
    await original.call(this, connection, obj);
    await kill(connection);
    throw lostConnection();
  };
};
const unhookQueries = () => {
  if (!hooked) return;
  if (hooked.own) hooked.proto._query = hooked.original;
  else delete hooked.proto._query;
  hooked = null;
};

describe('a connection lost', () => {
  beforeAll(hookQueries);
  afterAll(unhookQueries);
  afterEach(() => (armed = null));

  const reply = (user: TestUser, threadId: string, key?: string) => {
    const req = as(ctx.strapi, user).post(`/threads/${threadId}/messages`, { body: 'Are you there?' });
    return key ? req.set('Idempotency-Key', key) : req;
  };
  const outcomeUnknown = {
    data: null,
    error: { status: 503, name: 'ServiceUnavailableError', message: expect.any(String), details: { code: 'outcome_unknown', retryAfter: 1 } },
  };

  it('after its COMMIT was sent answers a 503 outcome_unknown: the write landed, and a retry with the same key stores nothing more', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await arm({ sql: /^commit/i, when: 'after' });
    const lost = await reply(bob, thread.id, 'lost-after-commit').expect(503);
    expect(lost.headers['retry-after']).toBe('1');
    expect(lost.body).toEqual(outcomeUnknown);
    expect(await messagesIn(thread.id)).toBe(2);
    // What the client does with outcome_unknown: the same send, the same key.
    const again = await reply(bob, thread.id, 'lost-after-commit').expect(201);
    expect(again.body.data).toMatchObject({ body: 'Are you there?', author: { id: bob.id } });
    expect(await messagesIn(thread.id)).toBe(2);
    // Without a key it is the same 503: the client cannot tell, and must not simply repeat it.
    await arm({ sql: /^commit/i, when: 'after' });
    expect((await reply(bob, thread.id).expect(503)).body).toEqual(outcomeUnknown);
    expect(await messagesIn(thread.id)).toBe(3);
  });

  (databaseClient() === 'sqlite' ? it.skip : it)('before its COMMIT arrived answers outcome_unknown too (nothing landed): the retry with the key sends once', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await arm({ sql: /^commit/i, when: 'before' });
    expect((await reply(bob, thread.id, 'lost-before-commit').expect(503)).body).toEqual(outcomeUnknown);
    expect(await messagesIn(thread.id)).toBe(1);
    await reply(bob, thread.id, 'lost-before-commit').expect(201);
    await reply(bob, thread.id, 'lost-before-commit').expect(201);
    expect(await messagesIn(thread.id)).toBe(2);
  });

  it('before the commit, in a statement of the transaction, is retried: a 201, one message', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, ann, [bob]);
    await arm({ sql: /^insert into [`"]?pm_messages/i, when: 'before' });
    await reply(bob, thread.id).expect(201);
    expect(armed).toBeNull();
    expect(await messagesIn(thread.id)).toBe(2);
  });

  it('while users-permissions loads the caller answers a 503 with Retry-After, never a 401 that logs the user out', async () => {
    const [ann] = await ctx.users(1);
    await as(ctx.strapi, ann).get('/unread-count').expect(200);
    await arm({ sql: /from [`"]?up_users[`"]?/i, when: 'before' });
    const res = await as(ctx.strapi, ann).get('/unread-count').expect(503);
    expect(armed).toBeNull();
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body.error).toMatchObject({ status: 503, name: 'ServiceUnavailableError', details: { code: 'unavailable', retryAfter: 1 } });
    // The same token still works.
    await as(ctx.strapi, ann).get('/unread-count').expect(200);
    // A token whose user is gone is still a 401.
    await ctx.strapi.db.connection('up_users').where({ id: ann.id }).delete();
    await as(ctx.strapi, ann).get('/unread-count').expect(401);
  });
});
