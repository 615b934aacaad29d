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
 * - MySQL/MariaDB: MariaDB's `ANALYZE FORMAT=JSON` (runs the statement; actual rows per table), else
 *   MySQL's `EXPLAIN FORMAT=JSON` (estimates): a full scan (`ALL`) or full index scan (`index`) of a
 *   table of more than SMALL_TABLE rows reading more than max(rows returned, SMALL_TABLE) rows fails,
 *   as does a filesort of more rows than max(rows returned, 100), and any table access that filters
 *   out more than SMALL_TABLE rows.
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

const isMariaDb = new WeakMap();

const mysqlPlan = async (sink, q, rowCounts = new Map()) => {
  if (!isMariaDb.has(sink)) isMariaDb.set(sink, /mariadb/i.test((await sink.all('select version() as v'))[0].v));
  const analyze = isMariaDb.get(sink);
  const bindings = q.bindings.map(bindPg);
  const returned = (await sink.all(q.sql, bindings)).length;
  // (MariaDB prints ANSI_QUOTES' double-quoted identifiers into its JSON unescaped: plain quoting for this one.)
  await sink.exec("set session sql_mode = replace(@@session.sql_mode, 'ANSI_QUOTES', '')");
  let rows;
  try {
    rows = await sink.all(`${analyze ? 'analyze' : 'explain'} format=json ${q.sql}`, bindings);
  } finally {
    await sink.exec("set session sql_mode = concat(@@session.sql_mode, ',ANSI_QUOTES')");
  }
  const doc = JSON.parse(Object.values(rows[0])[0]);
  const problems = [];
  const lines = [];
  const tableOf = (alias) => {
    const m = new RegExp(`[\`"]?(\\w+)[\`"]?\\s+(?:as\\s+)?[\`"]?${alias}[\`"]?(?:\\s|$|,)`, 'i').exec(q.sql);
    return rowCounts.has(alias) ? alias : m ? m[1] : alias;
  };
  /** Walks the plan; answers the rows the visited tables pass on (for the filesort above them). */
  const walk = (node, depth) => {
    if (!node || typeof node !== 'object') return 0;
    // A join (nested_loop) passes on what its last table keeps, not the sum of its tables.
    if (Array.isArray(node)) return node.map((c) => walk(c, depth)).pop() ?? 0;
    let out = 0;
    for (const [key, child] of Object.entries(node)) {
      if (key === 'table' && child && typeof child === 'object' && child.table_name) {
        const t = child;
        const loops = Number(t.r_loops ?? 1);
        const read = analyze ? loops * Number(t.r_rows ?? 0) : Number(t.rows_examined_per_scan ?? t.rows ?? 0);
        const kept = read * Number((analyze ? t.r_filtered : t.filtered) ?? 100) / 100;
        const name = tableOf(t.table_name);
        lines.push(`${'  '.repeat(depth)}${t.access_type} on ${t.table_name}${name !== t.table_name ? ` (${name})` : ''}${t.key ? ` using ${t.key}` : ''} (${analyze ? `loops=${loops}, rows read=${Math.round(read)}` : `est. rows=${read}`}, kept=${Math.round(kept)})${t.using_index ? ' index-only' : ''}`);
        const size = rowCounts.get(name) ?? Infinity;
        if (['ALL', 'index'].includes(t.access_type) && size > SMALL_TABLE && read > Math.max(returned, SMALL_TABLE)) {
          problems.push(`${t.access_type === 'ALL' ? 'full scan' : 'full index scan'} of ${name} reads ${Math.round(read)} rows to return ${returned}`);
        }
        if (analyze && read - kept > SMALL_TABLE) problems.push(`${t.access_type} on ${name} filters out ${Math.round(read - kept)} rows`);
        out += kept;
        out += walk(Object.fromEntries(Object.entries(t).filter(([k]) => k !== 'table_name')), depth + 1);
      } else if (key === 'filesort' || key === 'temporary_table') {
        lines.push(`${'  '.repeat(depth)}${key}`);
        const sorted = walk(child, depth + 1);
        if (key === 'filesort' && sorted > Math.max(returned, 100)) problems.push(`filesort of ${Math.round(sorted)} rows to return ${returned}`);
        out += sorted;
      } else if (child && typeof child === 'object') {
        out += walk(child, depth);
      }
    }
    return out;
  };
  walk(doc, 0);
  return { plan: lines.join('\n'), problems };
};

module.exports = { sqlitePlan, pgPlan, mysqlPlan, bindSqlite, bindPg, SMALL_TABLE };
