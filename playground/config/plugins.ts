import { createSecretKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import webPush from 'web-push';

/**
 * The playground's VAPID key pair for web push: PM_VAPID_PUBLIC_KEY / PM_VAPID_PRIVATE_KEY when set,
 * else a pair generated once into the playground's .tmp/ (a real site puts its own in its .env).
 */
const playgroundVapid = (env: (name: string, fallback?: string) => string) => {
  if (env('PM_VAPID_PUBLIC_KEY', '') && env('PM_VAPID_PRIVATE_KEY', '')) {
    return { publicKey: env('PM_VAPID_PUBLIC_KEY'), privateKey: env('PM_VAPID_PRIVATE_KEY'), subject: 'mailto:admin@example.com' };
  }
  const root = path.basename(path.dirname(__dirname)) === 'dist' ? path.resolve(__dirname, '../..') : path.resolve(__dirname, '..');
  const file = path.join(root, '.tmp', 'vapid.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, JSON.stringify(webPush.generateVAPIDKeys()), { flag: 'wx' });
    } catch {
      // Another process wrote it first: that pair is the one.
    }
  }
  return { ...JSON.parse(fs.readFileSync(file, 'utf8')), subject: 'mailto:admin@example.com' };
};

export default ({ env }) => ({
  'private-messages': {
    enabled: true,
    // The plugin is this repository itself (loaded through its package exports, i.e. dist/).
    // An absolute path. The server reads the compiled config (playground/dist/config), while
    // `strapi build` reads this source file (playground/config) to find the plugins with an admin side.
    resolve: path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../../..' : '../..'),
    config: {
      defaultAvatarUrl: env('PM_DEFAULT_AVATAR_URL', 'https://www.gravatar.com/avatar/?d=mp'),
      // The real-time stream (GET /stream): PM_REALTIME='{"adapter":"redis","redis":{"url":"redis://127.0.0.1:6379"}}'
      // and the like (tests and benchmarks shorten its intervals the same way).
      realtime: env.json('PM_REALTIME', {}),
      // Custom fields on threads and messages (an order number, a priority); PM_FIELDS replaces
      // the declarations (tests).
      fields: env.json('PM_FIELDS', {
        thread: { orderId: { type: 'string', maxLength: 64 } },
        message: { priority: { type: 'enumeration', enum: ['low', 'normal', 'high'] } },
      }),
      // Web push (docs/api.md, Web push delivery): the keys the playground generated for itself.
      push: { vapid: playgroundVapid(env) },
      // Files and images on messages, private to whoever may see the message: stored in
      // playground/private-uploads (outside public/, git-ignored). PM_ATTACHMENTS replaces it (tests).
      attachments: env.json('PM_ATTACHMENTS', { enabled: true, storage: { adapter: 'local', folder: 'private-uploads' } }),
      // Threads about a listing ("contact the seller"): its seller answers; PM_CONTEXTS replaces
      // the declarations (tests).
      contexts: env.json('PM_CONTEXTS', {
        'api::listing.listing': {
          ownerField: 'seller',
          titleField: 'title',
          urlTemplate: env('PM_LISTING_URL', `http://localhost:${env('PORT', '1337')}/messages/?listing={documentId}`),
        },
      }),
    },
  },
  email: {
    config: {
      provider: 'nodemailer',
      providerOptions: {
        host: env('SMTP_HOST', '127.0.0.1'),
        port: env.int('SMTP_PORT', 1025),
        secure: false,
        ignoreTLS: true,
        // Connections kept open and reused: an email costs a few round trips instead of a new
        // connection's (connect, greeting, EHLO) each time.
        pool: true,
        maxConnections: env.int('SMTP_MAX_CONNECTIONS', 16),
      },
      settings: {
        defaultFrom: env('EMAIL_FROM', 'messages@playground.test'),
        defaultReplyTo: env('EMAIL_FROM', 'messages@playground.test'),
      },
    },
  },
  'users-permissions': {
    config: {
      // As a fresh Strapi 5.54 app is configured (create-strapi-app): refresh mode, sessions with the
      // refresh token in an httpOnly cookie. Access tokens are signed and verified with `jwtSecret`
      // (users-permissions falls back to admin.auth.secret only when it is unset).
      // PM_JWT_MANAGEMENT=legacy-support switches to the older stateless tokens (benchmarks only).
      jwtManagement: env('PM_JWT_MANAGEMENT', 'refresh'),
      // The refresh cookie is `secure` when the site is served over HTTPS (PUBLIC_URL https://…,
      // behind a proxy that terminates TLS: PROXY=true). Left to users-permissions, it is secure
      // whenever NODE_ENV=production, and koa then refuses to send it over plain HTTP: every login
      // of the playground run in production on localhost would answer 500.
      sessions: { httpOnly: true, cookie: { secure: env('PUBLIC_URL', '').startsWith('https://') } },
      // A KeyObject, not the string: jsonwebtoken's verify first tries to read a string secret as a PEM
      // public key, and that failed parse (an exception) costs about 0.4 ms of CPU on every
      // authenticated request, in either mode (docs/benchmarks.md, "Authentication modes").
      // Tokens are the same either way. PM_JWT_SECRET_AS_STRING=true: the string (benchmarks).
      jwtSecret: env.bool('PM_JWT_SECRET_AS_STRING', false)
        ? env('JWT_SECRET', 'playground-users-permissions-jwt-secret')
        : createSecretKey(Buffer.from(env('JWT_SECRET', 'playground-users-permissions-jwt-secret'))),
    },
  },
});
