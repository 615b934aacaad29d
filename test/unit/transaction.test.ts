import fs from 'node:fs';
import path from 'node:path';
import { TRANSACTION_ATTEMPTS, TransientDatabaseError, isRetriableDatabaseError, withRetry } from '../../server/src/utils/transaction';

describe('isRetriableDatabaseError', () => {
  it('knows what each database says when it gave up for a passing reason', () => {
    // PostgreSQL: deadlock, serialization failure, the backend terminated.
    for (const code of ['40P01', '40001', '57P01']) expect(isRetriableDatabaseError(Object.assign(new Error('x'), { code }))).toBe(true);
    // MySQL/MariaDB: deadlock, lock wait timeout, connection lost.
    expect(isRetriableDatabaseError(Object.assign(new Error('Deadlock found'), { errno: 1213, code: 'ER_LOCK_DEADLOCK' }))).toBe(true);
    expect(isRetriableDatabaseError(Object.assign(new Error('lost'), { code: 'PROTOCOL_CONNECTION_LOST' }))).toBe(true);
    // SQLite: the file is busy.
    expect(isRetriableDatabaseError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toBe(true);
    // pg, without a code.
    expect(isRetriableDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    // A transaction whose connection was killed: knex ends it, and its next statement says so.
    expect(isRetriableDatabaseError(new Error('Transaction query already complete, run with DEBUG=knex:tx for more info'))).toBe(true);
    expect(isRetriableDatabaseError(new Error('Client was closed and is not queryable'))).toBe(true);
  });

  it('leaves every other error alone', () => {
    expect(isRetriableDatabaseError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isRetriableDatabaseError(Object.assign(new Error('dup'), { errno: 1062 }))).toBe(false);
    expect(isRetriableDatabaseError(new Error('Thread not found'))).toBe(false);
    expect(isRetriableDatabaseError(undefined)).toBe(false);
  });
});

describe('withRetry', () => {
  const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

  it('runs the work again after a retriable failure', async () => {
    let calls = 0;
    const result = await withRetry(async () => {
      calls += 1;
      if (calls < 3) throw deadlock();
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after TRANSACTION_ATTEMPTS with a TransientDatabaseError (a 503), and at once when told the failure is final', async () => {
    let calls = 0;
    await expect(withRetry(async () => ((calls += 1), Promise.reject(deadlock())))).rejects.toBeInstanceOf(TransientDatabaseError);
    expect(calls).toBe(TRANSACTION_ATTEMPTS);
    calls = 0;
    await expect(withRetry(async () => ((calls += 1), Promise.reject(deadlock())), () => true)).rejects.toBeInstanceOf(TransientDatabaseError);
    expect(calls).toBe(1);
  });

  it('throws any other error as it is, without retrying', async () => {
    let calls = 0;
    const error = new Error('Thread not found');
    await expect(withRetry(async () => ((calls += 1), Promise.reject(error)))).rejects.toBe(error);
    expect(calls).toBe(1);
  });
});

describe('services', () => {
  it('open every transaction through inTransaction (the one place that retries)', () => {
    const dir = path.resolve(__dirname, '../../server/src/services');
    const direct = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && /strapi\.db\.transaction\(|\.connection\.transaction\(|knex\(\)\.transaction\(/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(direct).toEqual([]);
  });
});
