'use strict';
/**
 * Turns the benchmark's results into the printed summary, docs/benchmarks.json, the two generated
 * parts of docs/benchmarks-latest.md (the figures between the bench:start and bench:end markers, the
 * query plans between bench-plans:start and bench-plans:end: the rest of the file is written by hand
 * and kept) and docs/benchmarks-chart.svg. docs/benchmarks.md, the targets and what they rest on, is
 * written by hand from these.
 */
const fs = require('node:fs');
const path = require('node:path');

const DOCS = path.resolve(__dirname, '..', '..', 'docs');
/** The generated page, and what it starts with when it does not exist yet. */
const LATEST = 'benchmarks-latest.md';
const LATEST_HEAD = '# Benchmarks: the latest full run, as generated\n\nThe targets: [benchmarks.md](benchmarks.md).\n\n![Requests per second per route and database](benchmarks-chart.svg)\n';
const f = (n, d = 0) => (n === undefined || n === null || Number.isNaN(n) ? '–' : Number(n).toFixed(d));
const ratio = (a, b) => (a && b ? a / b : null);

/** A route's throughput over the trivial route's, measured right before it when the run paired them. */
const vsTrivial = (r, k) => ratio(r.routes[k]?.rps, r.routes[k]?.trivialRps ?? r.routes.trivial?.rps);

const targetsOf = (db, r) => {
  const t = [];
  const rps = (k) => r.routes[k]?.rps;
  const add = (name, value, limit, ok, unit = '×') => t.push({ name, value, limit, ok, unit });
  if (db === 'sqlite') {
    for (const k of ['inboxHeavy', 'inboxMedian', 'unreadHeavy']) {
      const v = vsTrivial(r, k);
      add(`${k} ≥ 50% of the trivial route`, v, 0.5, v !== null && v >= 0.5);
    }
  }
  for (const [k, b] of [['inboxHeavy', 'restInboxHeavy'], ['inboxMedian', 'restInboxMedian'], ['unreadHeavy', 'restUnreadHeavy']]) {
    const v = ratio(rps(k), rps(b));
    // The two are measured minutes apart; each against the trivial route just before it shows the drift.
    const drift = ratio(vsTrivial(r, k), r.routes[b]?.trivialRps ? vsTrivial(r, b) : null);
    add(`${k} ≥ 10× core REST (${b}${drift ? `; ${f(drift, 1)}× with each against its trivial route` : ''})`, v, 10, v !== null && v >= 10);
  }
  // Same-run comparisons with the heavy user's inbox page: each route against the trivial route
  // measured right before it, so the machine's drift over minutes cancels (±10% is noise).
  const vsInbox = (k) => ratio(vsTrivial(r, k), vsTrivial(r, 'inboxHeavy'));
  // The same comparison of the statements alone, replayed in-process (the steadier figure).
  const floorVsInbox = (k) => {
    const v = ratio(r.floor.inboxHeavy?.ms, r.floor[k]?.ms);
    return v ? `; in-process ${f(v, 2)}×` : '';
  };
  for (const [k, what] of [['inboxArchived', 'archived'], ['inboxSent', 'sent'], ['inboxAll', 'all']]) {
    if (!r.routes[k]?.rps) continue;
    const v = vsInbox(k);
    add(`heavy user's ${what} folder page as fast as their inbox page (≥ 0.9×: same-run noise${floorVsInbox(k)})`, v, 0.9, v !== null && v >= 0.9);
  }
  const cx = r.manifest?.contexts;
  if (r.routes.inboxContextOwner?.rps) {
    const v = vsInbox('inboxContextOwner');
    add(`inbox page of the owner of ${cx?.seller?.listings ?? '?'} listings with ${cx?.seller?.asks ?? '?'} asks as fast as the heavy user's (≥ 0.9×${floorVsInbox('inboxContextOwner')})`, v, 0.9, v !== null && v >= 0.9);
  }
  if (r.routes.byContext?.rps) {
    const v = vsInbox('byContext');
    add(`finding one's thread about a listing (by-context, ${cx?.threads ?? '?'} context threads) at least as fast as an inbox page (${floorVsInbox('byContext').slice(2)})`, v, 1, v !== null && v >= 1);
  }
  if (r.writes.askReused && r.writes.reply1to1Ask) {
    const v = ratio(r.writes.askReused.medianMs, r.writes.reply1to1Ask.medianMs);
    add('asking again about a listing (a reply in the thread found) ≤ 1.5× a 1:1 reply', v, 1.5, v !== null && v <= 1.5);
  }
  if (r.writes.askNew?.medianMs && r.writes.reply1to1Ask) {
    const v = ratio(r.writes.askNew.medianMs, r.writes.reply1to1Ask.medianMs);
    add('asking about a listing (a new thread) ≤ 3× a 1:1 reply', v, 3, v !== null && v <= 3);
  }
  const steps = [...r.steps].sort((a, b) => a.messages - b.messages);
  if (steps.length > 1) {
    const first = steps[0];
    const last = steps[steps.length - 1];
    const v = ratio(last.httpMean, first.httpMean);
    add(`heavy inbox latency at ${last.messages} msgs ≤ 1.5× at ${first.messages} (HTTP mean)`, v, 1.5, v !== null && v <= 1.5);
  }
  const w = r.writes;
  if (w.reply1to1 && w.replyBig) {
    const v = ratio(w.replyBig.medianMs, w.reply1to1.medianMs);
    add(`reply in a ${w.replyBig.members}-member thread ≤ 10× a 1:1 reply`, v, 10, v !== null && v <= 10);
    add(`(stretch) reply in a ${w.replyBig.members}-member thread ≤ 2× a 1:1 reply`, v, 2, v !== null && v <= 2);
    add(`event loop blocked ≤ 50 ms by a ${w.replyBig.members}-member reply (its delivery to the members included)`, w.replyBig.loopMaxMs, 50, w.replyBig.loopMaxMs <= 50, ' ms');
  }
  if (w.role) {
    if (w.role.unsupported) add('writing to a role of 10,000 users blocks the loop ≤ 100 ms', null, 100, false, ' ms (not measurable: role sending refused)');
    else add(`writing to a role of ${w.role.recipients} users blocks the loop ≤ 100 ms`, w.role.loopMaxMs, 100, w.role.loopMaxMs <= 100, ' ms');
  }
  if (w.replyRoleRecipient) {
    const oneToOne = w.reply1to1Paired ?? w.reply1to1;
    const v = ratio(w.replyRoleRecipient.medianMs, oneToOne?.medianMs);
    add(`a recipient's reply to a message to a role of ${w.replyRoleRecipient.recipients} users ≤ 1.5× a 1:1 reply`, v, 1.5, v !== null && v <= 1.5);
  }
  return t;
};

const LABELS = {
  trivial: 'trivial authenticated route (Strapi ceiling)',
  inboxHeavy: 'inbox page, heavy user',
  inboxMedian: 'inbox page, median user',
  inboxTag: 'inbox filtered by tag, heavy user',
  inboxArchived: 'archived folder page, heavy user',
  inboxSent: 'sent folder page, heavy user',
  inboxAll: 'all folder page, heavy user',
  threadView: 'thread view (1:1)',
  unreadHeavy: 'unread count, heavy user',
  unreadMedian: 'unread count, median user',
  inboxContextOwner: 'inbox page, owner of the listings most asked about',
  byContext: 'one\'s thread about a listing (by-context)',
  restInboxHeavy: 'core REST inbox, heavy user',
  restInboxMedian: 'core REST inbox, median user',
  restUnreadHeavy: 'core REST unread count, heavy user',
};

const svgChart = (results) => {
  const keys = ['trivial', 'inboxHeavy', 'inboxMedian', 'unreadHeavy', 'threadView', 'restInboxHeavy', 'restInboxMedian', 'restUnreadHeavy'];
  const dbs = Object.keys(results.dbs);
  const colors = { sqlite: '#4c78a8', postgres: '#f58518', mysql: '#54a24b' };
  const max = Math.max(1, ...dbs.flatMap((d) => keys.map((k) => results.dbs[d].routes[k]?.rps ?? 0)));
  const rowH = 16 * dbs.length + 10;
  const left = 280;
  const width = 900;
  const barW = width - left - 90;
  const height = 60 + keys.length * rowH + 30;
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">\n`;
  s += `<rect width="100%" height="100%" fill="white"/>\n<text x="10" y="22" font-size="15" font-weight="bold">Requests per second on loopback (autocannon, ${results.options.connections} connections; higher is better)</text>\n`;
  dbs.forEach((d, i) => {
    s += `<rect x="${10 + i * 120}" y="34" width="12" height="12" fill="${colors[d] ?? '#999'}"/><text x="${28 + i * 120}" y="45">${d === 'mysql' ? 'MariaDB' : d}</text>\n`;
  });
  keys.forEach((k, i) => {
    const y = 60 + i * rowH;
    s += `<text x="${left - 8}" y="${y + rowH / 2 + 2}" text-anchor="end">${LABELS[k]}</text>\n`;
    dbs.forEach((d, j) => {
      const v = results.dbs[d].routes[k]?.rps ?? 0;
      const w = Math.max(1, (v / max) * barW);
      s += `<rect x="${left}" y="${y + j * 16}" width="${w.toFixed(1)}" height="14" fill="${colors[d] ?? '#999'}"/>`;
      s += `<text x="${left + w + 4}" y="${y + j * 16 + 11}">${v ? f(v) : 'n/a'}</text>\n`;
    });
  });
  s += `<text x="10" y="${height - 10}" fill="#555">${results.sizeLabel}</text>\n</svg>\n`;
  return s;
};

/** Puts `text` between the page's `<!-- name:start … -->` and `<!-- name:end -->` markers (appended when it has none). */
const replaceBlock = (doc, name, text) => {
  const end = `<!-- ${name}:end -->`;
  const block = `<!-- ${name}:start (generated by npm run bench; edits between these markers are overwritten) -->\n${text}\n${end}`;
  const a = doc.indexOf(`<!-- ${name}:start`);
  const b = doc.indexOf(end);
  return a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + end.length) : `${doc}\n${block}\n`;
};

const writeDocs = (results, { write }) => {
  const lines = [];
  const planLines = [];
  let failed = false;
  const m0 = Object.values(results.dbs)[0]?.manifest?.counts ?? {};
  results.sizeLabel = `${m0.messages} messages, ${m0.threads} threads, ${m0.users} users, ${m0.memberships} memberships; ${results.machine.cpus} cores, Node ${results.machine.node}; run ${results.startedAt}`;
  lines.push(`Data set: ${results.sizeLabel}. privatemsg pm_index rows: ${m0.pmIndexRows}.`, '');
  for (const [db, r] of Object.entries(results.dbs)) {
    lines.push(`### ${db}${r.server ? ` (${r.server})` : ''}${r.fromRunAt ? ` (from the run of ${r.fromRunAt})` : ''}`, '');
    if (r.load) lines.push(`Machine load (\`uptime\`, 1/5/15 min) at the start of this database's run: ${r.load.start}; at its end: ${r.load.end}.`, '');
    lines.push('| route | req/s | p50 ms | p99 ms | in-process (knex) ms | queries | trivial route just before, req/s | vs trivial | load (1 min) |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [k, v] of Object.entries(r.routes)) {
      const fl = r.floor[k];
      const vt = vsTrivial(r, k);
      lines.push(`| ${LABELS[k] ?? k} | ${v.rps ? f(v.rps) : `HTTP ${v.status}: ${v.error}`} | ${f(v.p50)} | ${f(v.p99)} | ${fl ? f(fl.ms, 3) : '–'} | ${fl ? fl.queries : '–'} | ${f(v.trivialRps)} | ${v.rps && vt ? `${f(100 * vt)}%` : '–'} | ${f(v.load1, 1)} |`);
    }
    lines.push('', '| Drupal privatemsg 7.x, in-process | ms | plugin, in-process ms | privatemsg / plugin |', '|---|---:|---:|---:|');
    const pair = { inbox_heavy: 'inboxHeavy', inbox_median: 'inboxMedian', unread_heavy: 'unreadHeavy', unread_median: 'unreadMedian', pagerCount_heavy: null, pagerCount_median: null };
    for (const [k, v] of Object.entries(r.drupal)) {
      const mine = pair[k] ? r.floor[pair[k]]?.ms : null;
      lines.push(`| ${k.replace('_', ', ')} | ${f(v.ms, 3)} | ${f(mine, 3)} | ${mine ? `${f(v.ms / mine, 1)}×` : '–'} |`);
    }
    lines.push('', '| heavy user\'s inbox growth: messages | threads | heavy user\'s inbox threads | HTTP mean ms | in-process ms | load (1 min) |', '|---:|---:|---:|---:|---:|---:|');
    for (const s of [...r.steps].sort((a, b) => a.messages - b.messages)) lines.push(`| ${s.messages} | ${s.threads} | ${s.heavyThreads} | ${f(s.httpMean, 2)} | ${f(s.floorMs, 3)} | ${f(s.load1, 1)} |`);
    lines.push('', '| writes (sequential) | n | median ms | max ms | background work after the last, ms | event loop max delay ms | statuses | load (1 min) |', '|---|---:|---:|---:|---:|---:|---|---:|');
    for (const [k, w] of Object.entries(r.writes)) {
      if (k === 'idle') lines.push(`| idle (2 s, for reference) | – | – | – | – | ${f(w.maxMs, 1)} | – | – |`);
      else if (w.unsupported) lines.push(`| ${k} | – | – | – | – | – | refused: HTTP ${w.status} ${JSON.stringify(w.error).slice(0, 120)} | – |`);
      else lines.push(`| ${k}${w.members ? ` (${w.members} members)` : ''}${w.recipients ? ` (${w.recipients} recipients)` : ''}${w.contextThreads ? ` (${w.contextThreads} context threads)` : ''} | ${w.n} | ${f(w.medianMs, 2)} | ${f(w.maxMs, 1)} | ${w.backgroundMs ?? '–'} | ${f(w.loopMaxMs, 1)} | ${JSON.stringify(w.statuses)} | ${f(w.load1, 1)} |`);
    }
    lines.push('', '| target | measured | met |', '|---|---:|---|');
    for (const t of targetsOf(db, r)) lines.push(`| ${t.name} | ${t.value === null ? 'n/a' : `${f(t.value, t.unit === '×' ? 2 : 1)}${t.unit}`} | ${t.ok ? 'yes' : '**no**'} |`);
    const pluginFailures = r.failures ?? [];
    if (pluginFailures.length) failed = true;
    lines.push('', `Query plans of the plugin's hot queries: ${pluginFailures.length ? `**${pluginFailures.length} FAILED**` : 'all within their page'} (*Query plans* below).`, '');
    planLines.push(`### ${db}`, '', '<details><summary>Plans</summary>', '');
    for (const p of r.plans) {
      planLines.push(`**${p.route}**${p.problems.length ? ` — ${p.baseline ? 'sorts/scans more than the page (baseline, expected)' : 'FAILS'}: ${p.problems.join('; ')}` : ''}`, '', '```sql', p.sql.replace(/\s+/g, ' ').trim().replace(/(\?|\$\d+)(, (\?|\$\d+)){5,}/g, (x) => `… ${x.split(',').length} parameters …`), '```', '```', p.plan, '```', '');
    }
    planLines.push('</details>', '');
  }
  const figures = lines.join('\n');
  const plans = planLines.join('\n');
  const summary = `${figures}\n${plans}`;
  if (write) {
    fs.mkdirSync(DOCS, { recursive: true });
    fs.writeFileSync(path.join(DOCS, 'benchmarks.json'), `${JSON.stringify(results, null, 2)}\n`);
    fs.writeFileSync(path.join(DOCS, 'benchmarks-chart.svg'), svgChart(results));
    const file = path.join(DOCS, LATEST);
    let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : LATEST_HEAD;
    doc = replaceBlock(doc, 'bench', figures);
    doc = replaceBlock(doc, 'bench-plans', plans);
    fs.writeFileSync(file, doc);
  }
  return { summary, failed };
};

module.exports = { writeDocs, targetsOf };
