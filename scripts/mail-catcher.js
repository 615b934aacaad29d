/**
 * The playground's SMTP catcher: accepts every email on 127.0.0.1:1025 (SMTP_PORT), writes each
 * to playground/.tmp/mails/<time>-<to>.eml and prints a line, so notification emails can be read
 * without a real mail server.
 */
const fs = require('node:fs');
const path = require('node:path');
const { SMTPServer } = require('smtp-server');

const startMailCatcher = ({ port = 1025, dir }) => {
  fs.mkdirSync(dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
        const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${to.replace(/[^\w@.-]/g, '_')}.eml`);
        fs.writeFileSync(file, raw);
        console.log(`[mail-catcher] to ${to}: ${subject} -> ${path.relative(process.cwd(), file)}`);
        callback();
      });
    },
  });
  server.on('error', (e) => console.error(`[mail-catcher] ${e.message}`));
  server.listen(port, '127.0.0.1');
  return server;
};

module.exports = { startMailCatcher };
