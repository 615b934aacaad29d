#!/usr/bin/env node
'use strict';
/**
 * A soak: two Strapi instances on one database under a mixed load from many users, then every
 * counter against its recount, the email ledger and the 5xx count.
 *
 *   npm run soak -- --db sqlite|postgres|mysql --minutes N [--faults] [--users 40] [--workers 32]
 *
 * With --faults, during the load: a kill -9 of one instance (restarted 5 s later), a mail server
 * outage (10 s), and every database connection killed once (PostgreSQL, MySQL/MariaDB).
 * Exits 1 on any 5xx answer (503s the client repeats successfully do not count; requests cut off
 * by the killed instance do not either), any connection error outside the kill, any duplicate
 * message or email, any counter that differs from its recount, or an outbox that does not drain.
 * Requests without an answer within a minute are reported (`timeouts`), not failed: a machine too
 * busy to answer is not a server error.
 * The plugin must be built (`npm run build`).
 */
const { setUp, soakEnv } = require('./setup');
const { startInstance } = require('./instances');
const { startLedger, killDatabaseConnections } = require('./faults');
const { createLoad, createStats } = require('./load');
const { check, quantile, waitForOutbox } = require('./checks');

const args = (argv) => {
  const value = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const db = value('db', 'sqlite');
  if (!['sqlite', 'postgres', 'mysql'].includes(db)) throw new Error(`--db ${db}: sqlite, postgres or mysql`);
  return {
    db,
    minutes: Number(value('minutes', '1')),
    faults: argv.includes('--faults'),
    users: Number(value('users', '40')),
    workers: Number(value('workers', '32')),
  };
};

const log = (line) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

const main = async () => {
  const o = args(process.argv.slice(2));
  const ledger = await startLedger();
  const env = { ...soakEnv(o.db, ledger.port), PM_JWT_MANAGEMENT: 'legacy-support' };
  Object.assign(process.env, env);
  log(`${o.db}: ${o.users} users, ${o.workers} workers, ${o.minutes} min${o.faults ? ', with faults' : ''}`);
  const users = await setUp(o.db, o.users);
  const instances = [await startInstance('A', env), await startInstance('B', env)];
  const startedInstances = [...instances];
  log(`instances listening on ${instances.map((i) => i.port).join(', ')}`);

  const stats = createStats();
  const load = createLoad({ users, instances, stats });
  const started = Date.now();
  const until = started + o.minutes * 60_000;
  // One fault at a time, each at its moment or once the one before is over (a restarting
  // instance must be up before its database connections are killed).
  let faults = Promise.resolve();
  const faultErrors = [];
  const at = (fraction, name, action) => {
    faults = faults
      .then(() => new Promise((resolve) => setTimeout(resolve, Math.max(0, started + fraction * (until - started) - Date.now()))))
      .then(async () => {
        log(`fault: ${name}`);
        await action();
      })
      .catch((error) => faultErrors.push(`${name}: ${error.message.split('\n')[0]}`));
  };
  if (o.faults) {
    at(0.3, 'kill -9 of instance B (restarted after 5 s)', async () => {
      const b = instances[1];
      b.kill();
      await new Promise((resolve) => setTimeout(resolve, 5000));
      instances[1] = Object.assign(await startInstance('B2', env), { killedAt: b.killedAt });
      startedInstances.push(instances[1]);
      log(`instance B2 listening on ${instances[1].port}`);
    });
    at(0.5, 'mail server outage (10 s)', () => ledger.outage(10_000));
    at(0.7, 'every database connection killed', async () => log(`killed ${await killDatabaseConnections(o.db)} connections`));
  }
  await load.run(o.workers, until);
  await faults;
  const loadSeconds = (Date.now() - started) / 1000;
  const emailsDuringLoad = ledger.mails.filter((m) => m.at <= until).length;
  log(`load done (${loadSeconds.toFixed(0)} s); waiting for the outbox to drain`);
  const pending = await waitForOutbox(o.db, 180_000);
  for (const instance of instances) await instance.stop();
  const result = await check(o.db, ledger);
  await ledger.stop();

  const operations = Object.fromEntries(
    [...stats.ops.entries()].sort().map(([op, s]) => [
      op,
      { n: s.latencies.length, p50: quantile(s.latencies, 0.5), p99: quantile(s.latencies, 0.99), statuses: Object.fromEntries(s.statuses) },
    ])
  );
  const requests = [...stats.ops.values()].reduce((n, s) => n + s.latencies.length, 0);
  const report = {
    db: o.db,
    minutes: o.minutes,
    faults: o.faults,
    requests,
    perSecond: Math.round(requests / loadSeconds),
    fiveHundreds: stats.fiveHundreds.length,
    retried503: stats.retried503,
    killedInstanceErrors: stats.killedInstanceErrors,
    timeouts: stats.timeouts,
    networkErrors: stats.networkErrors.length,
    emailsDuringLoad,
    outboxLeft: pending,
    ...result,
    operations,
  };
  console.log(JSON.stringify(report, null, 2));
  for (const f of stats.fiveHundreds.slice(0, 10)) console.log(`5xx: ${JSON.stringify(f)}`);
  for (const f of stats.networkErrors.slice(0, 10)) console.log(`network error: ${JSON.stringify(f)}`);
  // What the instances logged as errors, to tell what a 5xx was.
  if (stats.fiveHundreds.length > 0) {
    for (const instance of startedInstances) {
      const errors = instance.output().split('\n').filter((line) => /error/i.test(line));
      for (const line of errors.slice(0, 20)) console.log(`instance ${instance.name}: ${line.slice(0, 500)}`);
    }
  }
  const failures = [
    stats.fiveHundreds.length > 0 && `${stats.fiveHundreds.length} answers were 5xx`,
    stats.networkErrors.length > 0 && `${stats.networkErrors.length} network errors outside the killed instance`,
    result.duplicateMessages > 0 && `${result.duplicateMessages} messages stored twice`,
    result.emails.duplicateEmailRows > 0 && `${result.emails.duplicateEmailRows} emails queued twice for one recipient`,
    result.emails.sameMessageIdAgain > result.emails.retriedRows && `${result.emails.sameMessageIdAgain} emails received again under one Message-ID`,
    result.counterMismatches > 0 && `${result.counterMismatches} counters differ from their recount`,
    pending > 0 && `${pending} outbox rows still waiting`,
    ...faultErrors.map((e) => `fault failed: ${e}`),
  ].filter(Boolean);
  for (const f of failures) console.log(`FAIL ${f}`);
  if (failures.length === 0) log('ok');
  process.exit(failures.length > 0 ? 1 : 0);
};

if (require.main === module) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
