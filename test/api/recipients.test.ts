import { as } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { registerUser, type TestUser } from '../helpers/users';

const ctx = useStrapi();
let ann: TestUser, bob: TestUser, bobby: TestUser;

beforeAll(async () => {
  ann = await registerUser(ctx.strapi, 'ann_r');
  bob = await registerUser(ctx.strapi, 'bob_r');
  bobby = await registerUser(ctx.strapi, 'BOBBY_r');
});

describe('GET /recipients', () => {
  it('finds users by username, case-insensitively, without the caller', async () => {
    const res = await as(ctx.strapi, ann).get('/recipients?q=bob').expect(200);
    expect(res.body.data).toEqual([
      { type: 'user', id: bobby.id, username: 'BOBBY_r', avatarUrl: expect.any(String) },
      { type: 'user', id: bob.id, username: 'bob_r', avatarUrl: expect.any(String) },
    ]);
    const self = await as(ctx.strapi, ann).get('/recipients?q=ann_r').expect(200);
    expect(self.body.data).toEqual([]);
    expect((await as(ctx.strapi, ann).get('/recipients?q=_r&limit=1').expect(200)).body.data).toHaveLength(1);
  });

  it.each(['', 'q=', `q=${'x'.repeat(101)}`, 'q=bob&limit=0', 'q=bob&limit=51', 'q=bob&role=1'])('is a 400 for ?%s', async (query) => {
    const res = await as(ctx.strapi, ann).get(`/recipients?${query}`).expect(400);
    expect(res.body.error.name).toBe('ValidationError');
  });
});

describe('GET /can-message/:userId', () => {
  it('allows an existing other user', async () => {
    const res = await as(ctx.strapi, ann).get(`/can-message/${bob.id}`).expect(200);
    expect(res.body).toEqual({ data: { allowed: true, reasons: [] } });
  });

  it('explains why not for oneself and for an unknown user', async () => {
    expect((await as(ctx.strapi, ann).get(`/can-message/${ann.id}`).expect(200)).body.data).toEqual({
      allowed: false,
      reasons: [{ code: 'self', message: expect.any(String) }],
    });
    expect((await as(ctx.strapi, ann).get('/can-message/987654').expect(200)).body.data).toEqual({
      allowed: false,
      reasons: [{ code: 'unknown_recipient', message: expect.any(String) }],
    });
  });

  it('agrees with what a send actually does', async () => {
    for (const target of [bob.id, ann.id, 987654]) {
      const verdict = (await as(ctx.strapi, ann).get(`/can-message/${target}`).expect(200)).body.data;
      const send = await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: target }], body: 'hi' });
      expect(send.status).toBe(verdict.allowed ? 201 : 403);
      if (!verdict.allowed) expect(send.body.error.details.refused.map((r: any) => r.code)).toEqual(verdict.reasons.map((r: any) => r.code));
    }
  });

  it.each(['abc', '0', '-3', '1.5', '99999999999'])('is a 400 for user id %s', async (id) => {
    await as(ctx.strapi, ann).get(`/can-message/${id}`).expect(400);
  });
});
