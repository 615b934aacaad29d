/**
 * Benchmark helpers (scripts/bench). `ping` is the trivial authenticated content-API route the
 * benchmark uses as Strapi's own ceiling; the others are instrumentation that answers 404 unless the
 * server was started with PM_BENCH=true.
 */
export default {
  routes: [
    { method: 'GET', path: '/bench/ping', handler: 'bench.ping' },
    { method: 'GET', path: '/bench/loop', handler: 'bench.loop', config: { auth: false } },
    { method: 'POST', path: '/bench/record/:state', handler: 'bench.record', config: { auth: false } },
    { method: 'GET', path: '/bench/outbox', handler: 'bench.outbox', config: { auth: false } },
  ],
};
