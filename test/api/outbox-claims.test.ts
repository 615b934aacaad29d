import { claimDue } from '../../server/src/repositories/outbox';
import { useStrapi } from '../helpers/setup';

const ctx = useStrapi();
const outboxRows = () => ctx.strapi.db.connection('pm_outbox');

const emailRow = (email: string, nextAttemptAt: Date) => ({
  created_at: new Date(),
  updated_at: new Date(),
  published_at: new Date(),
  status: 'pending',
  attempts: 0,
  next_attempt_at: nextAttemptAt,
  kind: 'email',
  event: 'report',
  email,
});

afterEach(async () => {
  await outboxRows().where({ kind: 'email', event: 'report' }).delete();
});

describe('claiming due emails', () => {
  it('takes the longest-waiting due rows first, whatever their ids, and leaves rows not yet due', async () => {
    const now = new Date();
    const ago = (s: number) => new Date(now.getTime() - s * 1000);
    // Inserted newest-due first, so id order and due order disagree.
    for (const [email, due] of [
      ['retry-later@example.test', new Date(now.getTime() + 60_000)],
      ['due-1s@example.test', ago(1)],
      ['due-30s@example.test', ago(30)],
      ['due-60s@example.test', ago(60)],
    ] as const) {
      await outboxRows().insert(emailRow(email, due));
    }
    const first = await claimDue(ctx.strapi.db.connection, 'email', now, 60_000, 2);
    expect(first.map((r) => r.email).sort()).toEqual(['due-30s@example.test', 'due-60s@example.test']);
    const second = await claimDue(ctx.strapi.db.connection, 'email', now, 60_000, 2);
    expect(second.map((r) => r.email)).toEqual(['due-1s@example.test']);
  });
});
