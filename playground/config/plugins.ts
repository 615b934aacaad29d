import { createSecretKey } from 'node:crypto';
import path from 'node:path';

export default ({ env }) => ({
  'private-messages': {
    enabled: true,
    // The plugin is this repository itself (loaded through its package exports, i.e. dist/).
    // An absolute path. The server reads the compiled config (playground/dist/config), while
    // `strapi build` reads this source file (playground/config) to find the plugins with an admin side.
    resolve: path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../../..' : '../..'),
    config: {
      defaultAvatarUrl: env('PM_DEFAULT_AVATAR_URL', 'https://www.gravatar.com/avatar/?d=mp'),
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
      },
      settings: {
        defaultFrom: env('EMAIL_FROM', 'messages@playground.test'),
        defaultReplyTo: env('EMAIL_FROM', 'messages@playground.test'),
      },
    },
  },
  'users-permissions': {
    // A KeyObject, not the string: jsonwebtoken's verify first tries to read a string secret as a PEM
    // public key, and that failed parse (an exception) costs about 0.4 ms of CPU on every
    // authenticated request (docs/benchmarks.md, item 17). Tokens are the same either way.
    config: { jwtSecret: createSecretKey(Buffer.from(env('JWT_SECRET', 'playground-users-permissions-jwt-secret'))) },
  },
});
