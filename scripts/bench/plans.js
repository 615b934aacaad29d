'use strict';
/**
 * Query plans of hot queries, and the rule the benchmark enforces: a hot query may not sort or
 * scan more than the page it returns.
 * - SQLite (`EXPLAIN QUERY PLAN`): a full `SCAN` of a table with more than SMALL_TABLE rows fails;
 *   a temporary B-tree (a sort) fails when the statement has a LIMIT (it sorts more than it returns).
 * - PostgreSQL (`EXPLAIN (ANALYZE, FORMAT JSON)`): a Seq Scan reading more than max(rows returned,
 *   SMALL_TABLE) rows fails, unless its table has at most SMALL_TABLE rows (as on SQLite: the
 *   planner rightly reads a tiny table whole, once per outer row, rather than its index); a Sort fails when it sorts more rows than the statement returns; any scan
 *   that filters out more than SMALL_TABLE rows fails.
 */
const SMALL_TABLE = 1000;

const bindSqlite = (b) => (b && typeof b === 'object' && '$date' in b ? b.$date : typeof b === 'boolean' ? (b ? 1 : 0) : b);
const bindPg = (b) => (b && typeof b === 'object' && '$date' in b ? new Date(b.$date) : b);

const sqlitePlan = async (sink, q, rowCounts) => {
  const rows = await sink.all(`explain query plan ${q.sql}`, q.bindings.map(bindSqlite));
  const lines = rows.map((r) => r.detail);
  const problems = [];
  const hasLimit = /\blimit\b/i.test(q.sql);
  // Reading a subquery's own (already bounded) result is not a table scan.
  const subqueries = new Set(lines.map((l) => /^(?:CO-ROUTINE|MATERIALIZE) (\S+)/.exec(l)?.[1]).filter(Boolean));
  for (const l of lines) {
    const scan = /^SCAN (\S+)(?: AS (\S+))?/.exec(l);
    if (scan && !subqueries.has(scan[1])) {
      const alias = scan[1];
      // Resolve the alias to its table name from the SQL text.
      const m = new RegExp(`[\`"]?(\\w+)[\`"]?\\s+(?:as\\s+)?[\`"]?${alias}[\`"]?(?:\\s|$|,)`, 'i').exec(q.sql);
      const table = rowCounts.has(alias) ? alias : m ? m[1] : alias;
      const n = rowCounts.get(table) ?? Infinity;
      if (n > SMALL_TABLE && !/USING (COVERING )?INDEX .*\(/.test(l)) problems.push(`full scan of ${table} (${n} rows): ${l}`);
    }
    if (/TEMP B-TREE/.test(l) && hasLimit) problems.push(`sorts before LIMIT: ${l}`);
  }
  return { plan: lines.join('\n'), problems };
};

const pgPlan = async (sink, q, rowCounts = new Map()) => {
  const rows = await sink.all(`explain (analyze, format json) ${q.sql}`, q.bindings.map(bindPg));
  const root = rows[0]['QUERY PLAN'][0].Plan;
  const returned = root['Actual Rows'] * root['Actual Loops'];
  const problems = [];
  const lines = [];
  const walk = (n, depth) => {
    const loops = n['Actual Loops'] || 1;
    const actual = n['Actual Rows'] * loops;
    const removed = (n['Rows Removed by Filter'] ?? 0) * loops;
    lines.push(
      `${'  '.repeat(depth)}${n['Node Type']}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}` +
        ` (rows=${actual}${removed ? `, removed=${removed}` : ''}${n['Sort Key'] ? `, key=${n['Sort Key'].join(', ')}` : ''})`
    );
    const tableRows = rowCounts.get(n['Relation Name']) ?? Infinity;
    if (n['Node Type'] === 'Seq Scan' && tableRows > SMALL_TABLE && actual + removed > Math.max(returned, SMALL_TABLE)) {
      problems.push(`Seq Scan on ${n['Relation Name']} reads ${actual + removed} rows to return ${returned}`);
    }
    if (n['Node Type'] === 'Sort' && actual > Math.max(returned, 100)) problems.push(`Sort of ${actual} rows to return ${returned}`);
    if (removed > SMALL_TABLE && n['Node Type'] !== 'Seq Scan') problems.push(`${n['Node Type']} on ${n['Relation Name']} filters out ${removed} rows`);
    for (const c of n.Plans ?? []) walk(c, depth + 1);
  };
  walk(root, 0);
  return { plan: lines.join('\n'), problems };
};

module.exports = { sqlitePlan, pgPlan, bindSqlite, bindPg, SMALL_TABLE };
