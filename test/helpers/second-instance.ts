import { spawn } from 'node:child_process';
import path from 'node:path';

export type SecondInstance = {
  /** Its HTTP base URL (only when started with `listen`). */
  base: string;
  /** The id its stream service gives itself (started with `listen`; "-" otherwise). */
  instance: string;
  /** Drains its outbox (at `at`, else now); resolves with the number of rows the drain handled. */
  drain(at?: Date): Promise<number>;
  /** Killed at once (SIGKILL: no shutdown, no cleanup), like a crashed or OOM-killed instance. */
  kill(): Promise<void>;
  /** Stops it as a shutdown would; resolves with its exit code (null when killed: after 15 s, it is). */
  exit(): Promise<number | null>;
};

/**
 * Boots another Strapi instance (test/helpers/second-instance-process.js) in its own process on this
 * test's database: what several instances of one site share (the outbox, the stream's bus) is only
 * proved across processes. `env` is added to this process's environment; `listen` makes it serve HTTP;
 * `outboxOnCommand` leaves its outbox to the test's `drain()` calls alone.
 */
export const startSecondInstance = async (options: { env?: Record<string, string>; listen?: boolean; outboxOnCommand?: boolean } = {}): Promise<SecondInstance> => {
  const child = spawn(process.execPath, [
      path.join(__dirname, 'second-instance-process.js'),
      ...(options.listen ? ['--listen'] : []),
      ...(options.outboxOnCommand ? ['--outbox-on-command'] : []),
    ], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const answers: { resolve: (n: number) => void; reject: (error: Error) => void }[] = [];
  // A drain still waiting when the instance dies (killed, or crashed) fails instead of hanging.
  child.once('exit', (code) => answers.splice(0).forEach((a) => a.reject(new Error(`the second instance exited during a drain (${code})`))));
  let ready!: (line: RegExpExecArray) => void;
  const isReady = new Promise<RegExpExecArray>((resolve, reject) => {
    ready = resolve;
    child.once('exit', (code) => reject(new Error(`the second instance exited before it was ready (${code})`)));
  });
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const readyLine = /^ready (\d+) (\S+)$/.exec(line);
      if (readyLine) ready(readyLine);
      const drained = /^drained (\d+)$/.exec(line);
      if (drained) answers.shift()?.resolve(Number(drained[1]));
    }
  });
  const [, port, instance] = await isReady;
  return {
    get base() {
      if (!options.listen) throw new Error('the second instance serves no HTTP: start it with listen: true');
      return `http://127.0.0.1:${port}`;
    },
    instance,
    drain(at) {
      const answer = new Promise<number>((resolve, reject) => answers.push({ resolve, reject }));
      child.stdin.write(at ? `drain ${at.getTime()}\n` : 'drain\n');
      return answer;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async exit() {
      child.stdin.write('exit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
};
