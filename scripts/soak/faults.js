'use strict';
/**
 * What the soak does to the system with --faults, and the mail server it runs: a ledger of every
 * email received (Message-ID, recipient, time), which can go away and come back on the same port.
 */
const { SMTPServer } = require('smtp-server');
const { pgConnection, mysqlConnection } = require('../generate/index');

/** A mail server recording each email; `outage(ms)` closes it for that long (connections refused). */
const startLedger = async () => {
  const mails = [];
  let server = null;
  let port = 0;
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      // An outage starts at once: open connections are cut after a second, not the default 30 s.
      closeTimeout: 1000,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk) => (raw += chunk.toString()));
        stream.on('end', () => {
          const messageId = /^Message-ID:\s*(.*)$/im.exec(raw)?.[1]?.trim() ?? null;
          mails.push({ messageId, to: session.envelope.rcptTo.map((r) => r.address).join(','), at: Date.now() });
          callback();
        });
      },
    });
  const start = async () => {
    server = make();
    // A killed instance resets its SMTP connection mid-session: expected under faults, never fatal.
    server.on('error', () => {});
    await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = server.server.address().port;
  };
  const stop = () => new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await start();
  return {
    mails,
    get port() {
      return port;
    },
    async outage(ms) {
      await stop();
      await new Promise((resolve) => setTimeout(resolve, ms));
      await start();
    },
    stop,
  };
};

/**
 * Kills every connection of the other processes to the soak's database (PostgreSQL:
 * pg_terminate_backend; MySQL/MariaDB: KILL). SQLite has none to kill: 0.
 */
const killDatabaseConnections = async (db) => {
  if (db === 'postgres') {
    const { Client } = require('pg');
    const c = pgConnection();
    const admin = new Client({ ...c, database: 'postgres' });
    await admin.connect();
    try {
      const { rows } = await admin.query('select pg_terminate_backend(pid) as killed from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [c.database]);
      return rows.filter((r) => r.killed).length;
    } finally {
      await admin.end();
    }
  }
  if (db === 'mysql') {
    const mysql = require('mysql2/promise');
    const { database, ...c } = mysqlConnection();
    const admin = await mysql.createConnection(c);
    try {
      const [rows] = await admin.query('select id from information_schema.processlist where db = ? and id <> connection_id()', [database]);
      let killed = 0;
      for (const { id } of rows) {
        try {
          await admin.query(`KILL ${Number(id)}`);
          killed += 1;
        } catch {
          // gone already
        }
      }
      return killed;
    } finally {
      await admin.end();
    }
  }
  return 0;
};

module.exports = { startLedger, killDatabaseConnections };
