import type { Knex } from 'knex';

export type Statement = { sql: string; bindings: unknown[] };

/**
 * Records every SQL statement knex runs on `knex` from now until `stop()`: what a test counts when
 * the rule is "one statement per page, never one per row", or "no query while the client waits".
 */
export const recordStatements = (knex: Knex) => {
  const statements: Statement[] = [];
  const listener = (q: { sql: string; bindings?: readonly unknown[] }) => statements.push({ sql: q.sql, bindings: [...(q.bindings ?? [])] });
  knex.on('query', listener);
  return { statements, stop: () => void knex.removeListener('query', listener) };
};

/** The statements `work` runs (and anything else running on `knex` meanwhile). */
export const statementsDuring = async (knex: Knex, work: () => Promise<unknown>): Promise<Statement[]> => {
  const recording = recordStatements(knex);
  try {
    await work();
  } finally {
    recording.stop();
  }
  return recording.statements;
};
