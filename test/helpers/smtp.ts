import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export type Mail = { to: string[]; raw: string; subject: string };

/**
 * A real SMTP server in the test process. `stop()` then `start()` again on the same port
 * simulates an outage; `hold()` a server that takes mail but does not answer until `release()`;
 * `mails` collects what arrived.
 */
export const createSmtp = () => {
  const mails: Mail[] = [];
  let server: SMTPServer | null = null;
  let port = 0;
  let held: Promise<void> | null = null;
  let release = () => {};
  let waiting = 0;

  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true, // nothing here needs the client's host name
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk) => (raw += chunk.toString()));
        stream.on('end', async () => {
          waiting += 1;
          await held;
          waiting -= 1;
          const subject = /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '';
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, subject });
          callback();
        });
      },
    });

  return {
    mails,
    get port() {
      return port;
    },
    async start() {
      server = make();
      // A sender torn down mid-session (Strapi destroyed at the end of a file) resets the connection.
      server.on('error', () => {});
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', () => resolve()));
      port = (server!.server.address() as AddressInfo).port;
      return port;
    },
    async stop() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = null;
    },
    /** Mails received and not acknowledged yet (held). */
    get waiting() {
      return waiting;
    },
    /** Mail is received but not acknowledged (the sender waits) until `release()`. */
    hold() {
      held = new Promise<void>((resolve) => (release = resolve));
    },
    release() {
      release();
      held = null;
    },
    to(address: string) {
      return mails.filter((m) => m.to.includes(address));
    },
  };
};

/** Registers a real SMTP server for the enclosing scope; `env` carries its port to `useStrapi({ env })`. */
export const useSmtp = () => {
  const smtp = createSmtp();
  const env: Record<string, string> = {};
  beforeAll(async () => {
    env.SMTP_PORT = String(await smtp.start());
  });
  afterAll(() => smtp.stop());
  return { smtp, env };
};
