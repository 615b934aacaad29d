'use strict';
/**
 * What the soak checks once the load has stopped and the outbox has drained: every counter against
 * its recount (scripts/generate/verify.js), the email ledger, duplicate messages, and the time
 * from a message to its email.
 */
const { openSink } = require('../generate/index');
const { verify } = require('../generate/verify');

const toMillis = (v) => (v instanceof Date ? v.getTime() : typeof v === 'number' || /^\d+$/.test(String(v)) ? Number(v) : new Date(v).getTime());

/** The `q` quantile (0..1) of `values`, in whole milliseconds. */
const quantile = (values, q) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
};

/** Waits until no outbox row is pending or being sent (at most `ms`); the rows still waiting. */
const waitForOutbox = async (db, ms) => {
  // Read-only: the instances still have the SQLite file open.
  const sink = await openSink(db, { readOnly: true });
  try {
    const deadline = Date.now() + ms;
    for (;;) {
      const n = Number((await sink.all(`select count(*) as n from pm_outbox where status in ('pending', 'sending')`))[0].n);
      if (n === 0 || Date.now() > deadline) return n;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    await sink.close();
  }
};

const check = async (db, ledger) => {
  const sink = await openSink(db, { readOnly: true });
  let result;
  try {
    const rows = (sql) => sink.all(sql);
    const count = async (sql) => Number((await rows(sql))[0]?.n ?? 0);
    const duplicateEmailRows = await count(`select count(*) as n from (select message_id, user_id from pm_outbox where kind = 'email' and user_id is not null and message_id is not null
      group by message_id, user_id having count(*) > 1) d`);
    const duplicateMessages = await count(`select count(*) as n from (select body from pm_messages where body like '%soak %' group by body having count(*) > 1) d`);
    // A resend under the same Message-ID is by design after a crash between the hand-over and
    // `sent` (receivers drop the copy); each such row was retried (markSent clears its error, not
    // its attempts), so retried rows bound how many emails may arrive twice.
    const interrupted = await count(`select count(*) as n from pm_outbox where kind = 'email' and status = 'sent' and attempts > 0`);
    const byStatus = Object.fromEntries(
      (await rows(`select kind, status, count(*) as n from pm_outbox group by kind, status`)).map((r) => [`${r.kind}.${r.status}`, Number(r.n)])
    );
    const sent = await rows(`select o.sent_at, o.created_at as queued_at, m.created_at from pm_outbox o join pm_messages m on m.id = o.message_id
      where o.kind = 'email' and o.status = 'sent' and o.event <> 'report'`);
    const latencies = sent.map((r) => toMillis(r.sent_at) - toMillis(r.created_at)).filter(Number.isFinite);
    // Where the time goes: the jobs lane (message → email row) and the emails lane (row → sent).
    const queueing = sent.map((r) => toMillis(r.queued_at) - toMillis(r.created_at)).filter(Number.isFinite);
    const sending = sent.map((r) => toMillis(r.sent_at) - toMillis(r.queued_at)).filter(Number.isFinite);
    const messages = await count(`select count(*) as n from pm_messages`);
    const ids = ledger.mails.map((m) => m.messageId);
    const distinct = new Set(ids).size;
    result = {
      messages,
      outbox: byStatus,
      emails: {
        received: ids.length,
        distinctMessageIds: distinct,
        sameMessageIdAgain: ids.length - distinct,
        retriedRows: interrupted,
        duplicateEmailRows,
        messageToEmailMs: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: quantile(latencies, 1) },
        messageToEmailRowMs: { p50: quantile(queueing, 0.5), p99: quantile(queueing, 0.99) },
        emailRowToSentMs: { p50: quantile(sending, 0.5), p99: quantile(sending, 0.99) },
      },
      duplicateMessages,
    };
  } finally {
    await sink.close();
  }
  console.log('== recount of every counter (scripts/generate/verify.js)');
  result.counterMismatches = await verify(db);
  return result;
};

module.exports = { check, quantile, waitForOutbox };
