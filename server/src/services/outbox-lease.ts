import { randomUUID } from 'node:crypto';
import type { Db } from '../repositories/db';
import type { OutboxRow } from '../repositories/outbox';
import * as claimsRepo from '../repositories/outbox-claims';

/*
 * How the outbox worker holds the rows it works on: a claim under a token of its own, with a lease
 * it keeps renewing (a heartbeat) for as long as the batch runs, however slow the mail server is.
 * Another instance takes the rows over only once the lease has run out without renewal: the
 * holder stopped (crash, kill), or its event loop was blocked for a whole lease.
 */

/** How long a claim holds a row without renewal: after a crash, its rows are due again once it runs out. */
export const OUTBOX_LEASE_MS = 60_000;
export const MAX_ATTEMPTS = 20;

/** A failed send's wait before its retry: 10 s, 20 s, 40 s, ... capped at one hour. */
export const backoffMs = (attempts: number) => Math.min(10_000 * 2 ** attempts, 3_600_000);

/**
 * The lease, from PRIVATE_MESSAGES_OUTBOX_LEASE_MS when set (tests shorten it to seconds; shorter
 * also means a crashed instance's emails go out sooner, at the cost of more renewals).
 */
export const outboxLeaseMs = () => {
  const fromEnv = Number(process.env.PRIVATE_MESSAGES_OUTBOX_LEASE_MS);
  return Number.isFinite(fromEnv) && fromEnv >= 500 ? fromEnv : OUTBOX_LEASE_MS;
};

/** A claim held while `work` runs: its token fences every change of its rows. */
export type Claim = { token: string; leaseMs: number };

/**
 * Calls `renew` every `everyMs` until the returned stop() (which waits for a renewal under way, so
 * none runs after the batch, or after the database closed). A failed renewal is reported and the
 * next one tried: the lease has two more renewals' worth of time left.
 */
const heartbeat = (renew: () => Promise<unknown>, everyMs: number, onError: (error: Error) => void) => {
  let stopped = false;
  let current: Promise<unknown> | null = null;
  let timer: NodeJS.Timeout;
  const schedule = () => {
    timer = setTimeout(() => {
      current = renew()
        .catch(onError)
        .finally(() => {
          current = null;
          if (!stopped) schedule();
        });
    }, everyMs);
    timer.unref();
  };
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await current;
  };
};

/**
 * Claims up to `limit` rows of `kind` due at `dueAt` and runs `work` on them while a heartbeat
 * renews their lease (a third of the lease apart); the number claimed. The lease is measured from
 * the moment of claiming, not from `dueAt` (a drain may ask for a later time to skip backoff).
 */
export const withClaimedBatch = async (
  db: () => Db,
  kind: 'job' | 'email' | 'push',
  dueAt: Date,
  limit: number,
  work: (rows: OutboxRow[], claim: Claim) => Promise<void>,
  onError: (error: Error) => void
) => {
  const claim: Claim = { token: randomUUID(), leaseMs: outboxLeaseMs() };
  const now = new Date();
  const rows = await claimsRepo.claimDue(db(), kind, {
    dueAt: dueAt.getTime() > now.getTime() ? dueAt : now,
    now,
    leaseMs: claim.leaseMs,
    limit,
    token: claim.token,
    maxAttempts: MAX_ATTEMPTS,
  });
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  const stop = heartbeat(() => claimsRepo.renewClaims(db(), ids, claim.token, new Date(), claim.leaseMs), Math.floor(claim.leaseMs / 3), onError);
  try {
    await work(rows, claim);
  } finally {
    await stop();
  }
  return rows.length;
};
