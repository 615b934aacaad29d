export default ({ env }) => ({
  host: env('HOST', '0.0.0.0'),
  port: env.int('PORT', 1337),
  // Behind a proxy that terminates TLS: PUBLIC_URL=https://… and PROXY=true, so koa reads the
  // client's protocol from X-Forwarded-Proto and sends the secure refresh cookie (config/plugins.ts).
  url: env('PUBLIC_URL', ''),
  proxy: { koa: env.bool('PROXY', false) },
  app: {
    // Playground-only defaults; a real app sets APP_KEYS in its environment.
    keys: env.array('APP_KEYS', ['playground-key-1', 'playground-key-2']),
  },
  // The plugin's purge of old deleted messages is a cron job.
  cron: { enabled: env.bool('CRON_ENABLED', true) },
  logger: { updates: { enabled: false }, startup: { enabled: false } },
});
