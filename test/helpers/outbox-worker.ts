import { spawn } from 'node:child_process';
import path from 'node:path';

export type OutboxWorker = {
  /** Resolves with the number of rows the worker's drain handled. */
  drain(): Promise<number>;
  /** Killed at once (SIGKILL: no shutdown, no cleanup), like a crashed or OOM-killed instance. */
  kill(): Promise<void>;
  exit(): Promise<void>;
};

/** Boots a second Strapi instance (test/helpers/outbox-worker-process.js) on this test's database. */
export const startOutboxWorker = async (): Promise<OutboxWorker> => {
  const child = spawn(process.execPath, [path.join(__dirname, 'outbox-worker-process.js')], { env: { ...process.env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const answers: ((n: number) => void)[] = [];
  let buffer = '';
  let ready!: () => void;
  const isReady = new Promise<void>((resolve, reject) => {
    ready = resolve;
    child.once('exit', (code) => reject(new Error(`outbox worker exited before it was ready (${code})`)));
  });
  child.stdout.on('data', (chunk) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line === 'ready') ready();
      const drained = /^drained (\d+)$/.exec(line);
      if (drained) answers.shift()?.(Number(drained[1]));
    }
  });
  await isReady;
  return {
    drain() {
      const answer = new Promise<number>((resolve) => answers.push(resolve));
      child.stdin.write('drain\n');
      return answer;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async exit() {
      child.stdin.write('exit\n');
      await exited;
    },
  };
};
