import { as, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { useSmtp } from '../helpers/smtp';
import { startSecondInstance } from '../helpers/second-instance';
import { isMysql, isPostgres } from '../helpers/strapi';

/*
 * Two Strapi instances on one PostgreSQL or MySQL/MariaDB database and one outbox, draining at the
 * same moment: every email arrives exactly once. (SQLite is single-writer and single-host: not a
 * deployment with several instances.)
 */
(isPostgres() || isMysql() ? describe : describe.skip)('two instances sharing one outbox', () => {
  const { smtp, env } = useSmtp();
  const ctx = useStrapi({ env });

  it('deliver each email exactly once', async () => {
    const outbox = ctx.strapi.plugin('private-messages').service('outbox');
    const [author, ...members] = await ctx.users(12);
    for (const m of members) await as(ctx.strapi, m).put('/preferences', { emailNotifications: 'every' }).expect(200);

    // SMTP down: every email fails once and waits for its retry, so both instances find them due together.
    await smtp.stop();
    for (let i = 0; i < 4; i += 1) await startThread(ctx.strapi, author, members, { subject: `Broadcast ${i}` });
    await outbox.drain();
    // Their retries come due an hour from now, so no drain on the real clock (a timer of this
    // instance, however slowly the second one boots) takes them before both drain at `at`.
    await ctx.strapi.db
      .connection('pm_outbox')
      .where({ kind: 'email', status: 'pending' })
      .update({ next_attempt_at: new Date(Date.now() + 3_600_000) });
    await smtp.start();

    const at = Date.now() + 2 * 3_600_000;
    const other = await startSecondInstance();
    let mine = 0;
    let theirs = 0;
    try {
      // Both instances drain three times at `at`, at the same moment.
      const theirDrains = Promise.all([0, 1, 2].map(() => other.drain(new Date(at))));
      for (let i = 0; i < 3; i += 1) mine += await outbox.drain(new Date(at));
      theirs = (await theirDrains).reduce((a, b) => a + b, 0);
      expect(await other.exit()).toBe(0);
    } finally {
      await other.kill(); // nothing left to stop unless the test failed before its exit
    }

    const expected = members.length * 4;
    const keys = smtp.mails.map((m) => `${m.to.join(',')}|${m.subject}`);
    expect(new Set(keys).size).toBe(expected);
    expect(smtp.mails).toHaveLength(expected);
    expect(mine + theirs).toBeGreaterThanOrEqual(expected);
  }, 120_000);
});
