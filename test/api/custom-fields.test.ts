import { as, startThread } from '../helpers/api';
import { asAdmin, createSuperAdmin } from '../helpers/admin';
import { expectValidationError } from '../helpers/assertions';
import { useStrapi } from '../helpers/setup';
import { bootAgain, rebootStrapi } from '../helpers/strapi';
import { createRole, grant, pluginActions, setRole, type TestUser } from '../helpers/users';

/*
 * Custom fields on threads and messages, declared in config/plugins (PM_FIELDS in the
 * playground): validated from the declaration, stored whatever is declared, shown as declared.
 */
const DECLARED = {
  thread: {
    orderId: { type: 'string', maxLength: 8, required: true },
    note: { type: 'text', maxLength: 20 },
    qty: { type: 'integer', min: 1, max: 10 },
    price: { type: 'decimal', min: 0, max: 99.5 },
    gift: { type: 'boolean' },
    category: { type: 'enumeration', enum: ['a', 'b'] },
    due: { type: 'date' },
    at: { type: 'datetime' },
  },
  message: { priority: { type: 'enumeration', enum: ['low', 'high'], required: false }, score: { type: 'integer' } },
};
const env = (fields: object) => ({ PM_FIELDS: JSON.stringify(fields) });
const ctx = useStrapi({ env: env(DECLARED) });

const VALID = { orderId: 'A-1', note: 'gift wrap', qty: 3, price: 12.5, gift: true, category: 'b', due: '2026-02-28', at: '2026-02-28T10:00:00+02:00' };
const STORED = { ...VALID, at: '2026-02-28T08:00:00.000Z' };

let ann: TestUser, bob: TestUser;
beforeAll(async () => {
  [ann, bob] = await ctx.users(2);
});

const post = (body: object) => as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: bob.id }], body: 'Hi', ...body });

describe('custom fields', () => {
  let threadId: string;

  it('stores every declared type and shows it on the thread, its messages, the lists and to every member', async () => {
    const res = await post({ fields: VALID, messageFields: { priority: 'high', score: 0 } }).expect(201);
    threadId = res.body.data.thread.id;
    expect(res.body.data.thread.fields).toEqual(STORED);
    expect(res.body.data.message.fields).toEqual({ priority: 'high', score: 0 });
    for (const user of [ann, bob]) {
      const view = (await as(ctx.strapi, user).get(`/threads/${threadId}`).expect(200)).body.data;
      expect(view.fields).toEqual(STORED);
      expect(view.messages[0].fields).toEqual({ priority: 'high', score: 0 });
      expect((await as(ctx.strapi, user).get('/threads').expect(200)).body.data.find((t: any) => t.id === threadId).fields).toEqual(STORED);
    }
    // A reply takes the message's fields; none given: {}.
    const replied = (await as(ctx.strapi, bob).post(`/threads/${threadId}/messages`, { body: 'Ok', fields: { priority: 'low' } }).expect(201)).body.data;
    expect(replied.fields).toEqual({ priority: 'low' });
    const plain = (await as(ctx.strapi, bob).post(`/threads/${threadId}/messages`, { body: 'Plain' }).expect(201)).body.data;
    expect(plain.fields).toEqual({});
    const page = (await as(ctx.strapi, ann).get(`/threads/${threadId}`).expect(200)).body.data.messages;
    expect(page.map((m: any) => m.fields)).toEqual([{ priority: 'high', score: 0 }, { priority: 'low' }, {}]);
  });

  it.each([
    ['a string over its maxLength', { orderId: 'A-1234567' }, 'orderId'],
    ['a text over its maxLength', { note: 'x'.repeat(21) }, 'note'],
    ['an integer under min', { qty: 0 }, 'qty'],
    ['an integer over max', { qty: 11 }, 'qty'],
    ['a fraction for an integer', { qty: 1.5 }, 'qty'],
    ['a string for an integer', { qty: '3' }, 'qty'],
    ['a decimal under min', { price: -0.01 }, 'price'],
    ['a decimal over max', { price: 99.51 }, 'price'],
    ['a string for a boolean', { gift: 'yes' }, 'gift'],
    ['a value not in the enumeration', { category: 'c' }, 'category'],
    ['a date that does not exist', { due: '2026-02-30' }, 'due'],
    ['a datetime for a date', { due: '2026-02-28T10:00:00Z' }, 'due'],
    ['a datetime that is not one', { at: 'yesterday' }, 'at'],
    ['an undeclared field', { colour: 'red' }, 'colour'],
  ])('refuses %s with a 400 naming fields.<name>, storing nothing', async (_name, change, field) => {
    const before = (await as(ctx.strapi, bob).get('/threads').expect(200)).body.data.length;
    expectValidationError(await post({ fields: { orderId: 'A-1', ...change } }), ['fields', field]);
    expect((await as(ctx.strapi, bob).get('/threads').expect(200)).body.data).toHaveLength(before);
  });

  it('requires required fields, and checks the first message’s fields under messageFields', async () => {
    expectValidationError(await post({}), ['fields', 'orderId']);
    expectValidationError(await post({ fields: {} }), ['fields', 'orderId']);
    expectValidationError(await post({ fields: { orderId: null } }), ['fields', 'orderId']);
    expectValidationError(await post({ fields: { orderId: 'A-2' }, messageFields: { priority: 'urgent' } }), ['messageFields', 'priority']);
    expectValidationError(await post({ fields: { orderId: 'A-2' }, messageFields: { orderId: 'A-2' } }), ['messageFields', 'orderId']);
    expectValidationError(await as(ctx.strapi, bob).post(`/threads/${threadId}/messages`, { body: 'x', fields: { score: 'ten' } }), ['fields', 'score']);
    // Optional ones may be left out or null.
    const res = await post({ fields: { orderId: 'A-3', note: null } }).expect(201);
    expect(res.body.data.thread.fields).toEqual({ orderId: 'A-3' });
  });

  it('shows a broadcast’s fields to each recipient', async () => {
    const role = await createRole(ctx.strapi, `Buyers ${Date.now()}`);
    await grant(ctx.strapi, role.id, pluginActions(ctx.strapi));
    const holders = await ctx.users(2);
    for (const h of holders) await setRole(ctx.strapi, h.id, role.id);
    const res = await as(ctx.strapi, ann)
      .post('/threads', { recipients: [{ type: 'role', id: role.id }], body: 'News', fields: { orderId: 'B-1', qty: 2 }, messageFields: { priority: 'low' } })
      .expect(201);
    for (const h of holders) {
      const view = (await as(ctx.strapi, h).get(`/threads/${res.body.data.thread.id}`).expect(200)).body.data;
      expect(view.fields).toEqual({ orderId: 'B-1', qty: 2 });
      expect(view.messages[0].fields).toEqual({ priority: 'low' });
    }
  });

  it('the programmatic API takes fields, checked the same way', async () => {
    const messaging = ctx.strapi.plugin('private-messages').service('messaging');
    const sent = await messaging.send({ author: ann.id, recipients: [bob.id], body: 'From a script', fields: { orderId: 'S-1' }, messageFields: { score: 7 } });
    expect(sent.thread.fields).toEqual({ orderId: 'S-1' });
    expect(sent.message.fields).toEqual({ score: 7 });
    const replied = await messaging.reply({ author: bob.id, threadId: sent.thread.id, body: 'Back', fields: { priority: 'high' } });
    expect(replied.fields).toEqual({ priority: 'high' });
    await expect(messaging.send({ author: ann.id, recipients: [bob.id], body: 'x', fields: {} })).rejects.toMatchObject({
      details: { errors: [{ path: ['fields', 'orderId'] }] },
    });
    await expect(messaging.reply({ author: bob.id, threadId: sent.thread.id, body: 'x', fields: { priority: 'urgent' } })).rejects.toMatchObject({
      details: { errors: [{ path: ['fields', 'priority'] }] },
    });
  });

  it('lists the declarations read-only with the settings', async () => {
    const admin = await createSuperAdmin(ctx.strapi);
    const res = await asAdmin(ctx.strapi, admin).get('/settings').expect(200);
    expect(res.body.data.fields).toEqual(DECLARED);
    expectValidationError(await asAdmin(ctx.strapi, admin).put('/settings', { fields: DECLARED }), ['fields']);
  });

  it('a declaration removed stops showing its values; declared again, they come back', async () => {
    const { qty: _qty, note: _note, ...threadFields } = DECLARED.thread;
    ctx.strapi = await rebootStrapi(ctx.strapi, env({ thread: threadFields, message: {} }));
    const view = (await as(ctx.strapi, bob).get(`/threads/${threadId}`).expect(200)).body.data;
    const { qty: _q, note: _n, ...shown } = STORED;
    expect(view.fields).toEqual(shown);
    expect(view.messages.map((m: any) => m.fields)).toEqual([{}, {}, {}]);
    // Now undeclared: refused.
    expectValidationError(await post({ fields: { orderId: 'C-1', qty: 1 } }), ['fields', 'qty']);

    ctx.strapi = await rebootStrapi(ctx.strapi, env(DECLARED));
    const again = (await as(ctx.strapi, bob).get(`/threads/${threadId}`).expect(200)).body.data;
    expect(again.fields).toEqual(STORED);
    expect(again.messages.map((m: any) => m.fields)).toEqual([{ priority: 'high', score: 0 }, { priority: 'low' }, {}]);
  });

  it('a bad declaration stops Strapi at boot, naming the field and the problem', async () => {
    const stopped = ctx.strapi;
    await stopped.destroy();
    const bad = (fields: object) => bootAgain(stopped, env(fields));
    await expect(bad({ thread: { orderId: { type: 'string', maxLength: 300 } } })).rejects.toThrow(/fields\.thread\.orderId\.maxLength/);
    await expect(bad({ message: { level: { type: 'colour' } } })).rejects.toThrow(/fields\.message\.level\.type/);
    await expect(bad({ thread: { qty: { type: 'integer', min: 5, max: 1 } } })).rejects.toThrow(/fields\.thread\.qty\.min: must not be greater than max/);
    await expect(bad({ thread: { qty: { type: 'integer', enum: ['a'] } } })).rejects.toThrow(/fields\.thread\.qty/);
    await expect(bad({ thread: { 'order id': { type: 'string' } } })).rejects.toThrow(/fields\.thread\.order id/);
    ctx.strapi = await bootAgain(stopped, env(DECLARED));
    expect((await as(ctx.strapi, bob).get(`/threads/${threadId}`).expect(200)).body.data.fields).toEqual(STORED);
  });
});
