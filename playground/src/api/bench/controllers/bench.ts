import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const enabled = () => process.env.PM_BENCH === 'true';

/* Event-loop delay of the server process, sampled every millisecond from boot (PM_BENCH only). */
let histogram: IntervalHistogram | null = null;
if (enabled()) {
  histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
}

/* SQL the server runs while recording is on (to EXPLAIN the exact queries of a route). */
type Recorded = { sql: string; bindings: unknown[] };
let recording: Recorded[] | null = null;
let listening = false;
const onQuery = (q: { sql: string; bindings?: unknown[] }) => {
  // Dates travel as { $date: epoch ms } so the benchmark can bind them as the driver did.
  if (recording) {
    recording.push({
      sql: q.sql,
      bindings: (q.bindings ?? []).map((b) => (b instanceof Date ? { $date: b.getTime() } : b)),
    });
  }
};

const ms = (ns: number) => Math.round((ns / 1e6) * 1000) / 1000;

export default {
  async ping(ctx) {
    ctx.body = { data: { ok: true, user: ctx.state.user?.id ?? null } };
  },

  /** Event-loop delay since the last reset: `?reset=true` clears it after reading. */
  async loop(ctx) {
    if (!enabled() || !histogram) return ctx.notFound();
    const h = histogram;
    ctx.body = {
      data: {
        maxMs: ms(h.max),
        meanMs: ms(h.mean),
        p99Ms: ms(h.percentile(99)),
        samples: h.count,
      },
    };
    if (ctx.query.reset === 'true') h.reset();
  },

  /** Outbox jobs not done yet (deliveries to big threads, email expansions). */
  async outbox(ctx) {
    if (!enabled()) return ctx.notFound();
    const [row] = await strapi.db.connection('pm_outbox').where({ kind: 'job', status: 'pending' }).count({ n: '*' });
    ctx.body = { data: { pendingJobs: Number(row.n) } };
  },

  /** `POST /bench/record/start`, then `POST /bench/record/stop` answers the SQL run in between. */
  async record(ctx) {
    if (!enabled()) return ctx.notFound();
    const knex = strapi.db.connection;
    if (!listening) {
      knex.on('query', onQuery);
      listening = true;
    }
    if (ctx.params.state === 'start') {
      recording = [];
      ctx.body = { data: { recording: true } };
    } else {
      ctx.body = { data: recording ?? [] };
      recording = null;
    }
  },
};
