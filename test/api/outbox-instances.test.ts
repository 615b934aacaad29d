import { spawn } from 'node:child_process';
import path from 'node:path';
import { as, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { useSmtp } from '../helpers/smtp';
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
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'helpers', 'second-instance.js'), String(at)], {
      env: { ...process.env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`second instance exited early (${code})`)));
    });
    child.stdin.write('go\n');
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let mine = 0;
    for (let i = 0; i < 3; i += 1) mine += await outbox.drain(new Date(at));
    expect(await exited).toBe(0);

    const expected = members.length * 4;
    const keys = smtp.mails.map((m) => `${m.to.join(',')}|${m.subject}`);
    expect(new Set(keys).size).toBe(expected);
    expect(smtp.mails).toHaveLength(expected);
    const theirs = Number(/drained (\d+)/.exec(out)?.[1] ?? 0);
    expect(mine + theirs).toBeGreaterThanOrEqual(expected);
  }, 120_000);
});
