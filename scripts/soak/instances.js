'use strict';
/**
 * The soak's Strapi instances: each a process of its own serving HTTP on the shared database
 * (test/helpers/second-instance-process.js --listen), so one can be killed with SIGKILL mid-request.
 */
const path = require('node:path');
const { spawn } = require('node:child_process');

const PROCESS = path.resolve(__dirname, '..', '..', 'test', 'helpers', 'second-instance-process.js');

/** Starts an instance named `name`; resolves once it listens, with `{name, port, alive, kill, stop}`. */
const startInstance = (name, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROCESS, '--listen'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    // Never outlive the soak (an error, Ctrl-C): no orphaned instance holding the database.
    const orphaned = () => child.kill('SIGKILL');
    process.once('exit', orphaned);
    child.once('exit', () => process.removeListener('exit', orphaned));
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`instance ${name} did not start within 180 s: ${err.slice(-2000)}`)), 180_000);
    child.stderr.on('data', (chunk) => {
      err += chunk;
      if (err.length > 100_000) err = err.slice(-50_000);
    });
    child.on('exit', (code, signal) => {
      instance.alive = false;
      if (!instance.port) {
        clearTimeout(timer);
        reject(new Error(`instance ${name} exited (${code ?? signal}) before listening: ${err.slice(-2000)}`));
      }
    });
    const instance = {
      name,
      port: 0,
      alive: false,
      killedAt: undefined,
      child,
      stderr: () => err,
      /** What it logged (stdout, then stderr; the last 100 kB of each): the errors behind a 5xx. */
      output: () => `${out.slice(-100_000)}\n${err}`,
      /** kill -9: no shutdown, claims and transactions left as they were. */
      kill() {
        instance.alive = false;
        instance.killedAt = Date.now();
        child.kill('SIGKILL');
      },
      stop: () =>
        new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          instance.alive = false;
          child.stdin.write('exit\n');
          setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
        }),
    };
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const ready = /ready (\d+)/.exec(out);
      if (ready && !instance.port) {
        clearTimeout(timer);
        instance.port = Number(ready[1]);
        instance.alive = true;
        resolve(instance);
      }
    });
  });

module.exports = { startInstance };
