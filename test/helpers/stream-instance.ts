import { spawn } from 'node:child_process';
import path from 'node:path';

export type StreamInstance = { base: string; instance: string; exit(): Promise<void> };

/** Boots another Strapi process (stream-instance-process.js) on this test's database, listening on a port. */
export const startStreamInstance = async (env: Record<string, string> = {}): Promise<StreamInstance> => {
  const child = spawn(process.execPath, [path.join(__dirname, 'stream-instance-process.js')], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const [port, instance] = await new Promise<[string, string]>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const match = /ready (\d+) (\w+)/.exec(out);
      if (match) resolve([match[1], match[2]]);
    });
    child.once('exit', (code) => reject(new Error(`stream instance exited before it was ready (${code})`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    instance,
    async exit() {
      child.stdin.write('exit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
};
