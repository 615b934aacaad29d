/*
 * Two lanes, each one run at a time per instance: jobs (deliveries to big threads, and turning
 * each message into its email rows) and emails. Separate, so neither starves the other: a
 * delivery never waits behind a slow or unreachable mail server (a send's kick finds the jobs
 * lane free even while emails are going out), and emails never wait for the jobs lane to go idle,
 * which under steady sends it never does: each jobs pass that made emails hands them to the
 * emails lane at once (handOver), and both lanes take their rows in order of due time
 * (claimDue). Each lane repeats its step until a pass finds nothing due. Callers arriving while
 * a lane runs share one more run after it (it sees what they wrote), so waiting drains do not
 * pile up behind a slow mail server; that run's `now` is the latest asked for. `now` only says
 * what is due: each pass delivers what is due at the later of it and the clock at that pass, and
 * measures its claims' leases on the clock (withClaimedBatch), so a long run never claims with a
 * time long gone (a lease that would run out at once).
 */

const later = (a: Date, b: Date) => (a.getTime() >= b.getTime() ? a : b);

/**
 * One lane: `step` (one pass; how many rows it handled) repeated until a pass finds nothing, one
 * run at a time; callers arriving during a run share one more run after it. `isStopped`: the
 * outbox service is shutting down (background runs end between passes, queued ones are dropped).
 */
export const createLane = (step: (now: Date) => Promise<number>, isStopped: () => boolean) => {
  let running: Promise<number> | null = null;
  let queued: { now: Date; background: boolean; resolve: (run: Promise<number>) => void; promise: Promise<number> } | null = null;

  // A background run (a kick, cron) stops between passes once the service stops: shutdown waits for one pass, not the backlog.
  const untilIdle = async (now: Date, background: boolean) => {
    let total = 0;
    for (;;) {
      const done = await step(now);
      total += done;
      if (done === 0 || (background && isStopped())) return total;
    }
  };
  const start = (now: Date, background: boolean): Promise<number> => {
    const run = (async () => {
      try {
        return await untilIdle(now, background);
      } finally {
        // Hand over synchronously, so no caller can start a second run in between.
        const next = queued;
        queued = null;
        running = null;
        // A background run queued before shutdown is dropped; an explicit drain still runs.
        if (next) next.resolve(isStopped() && next.background ? Promise.resolve(0) : start(later(next.now, new Date()), next.background));
      }
    })();
    running = run;
    return run;
  };
  return {
    run(now: Date, background: boolean): Promise<number> {
      if (!running) return start(now, background);
      if (queued) {
        queued.now = later(queued.now, now);
        queued.background &&= background;
      } else {
        let resolve!: (run: Promise<number>) => void;
        const promise = new Promise<number>((r) => (resolve = r));
        queued = { now, background, resolve, promise };
      }
      return queued.promise;
    },
  };
};
