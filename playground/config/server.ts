export default ({ env }) => ({
  host: env('HOST', '0.0.0.0'),
  port: env.int('PORT', 1337),
  url: env('PUBLIC_URL', ''),
  app: {
    // Playground-only defaults; a real app sets APP_KEYS in its environment.
    keys: env.array('APP_KEYS', ['playground-key-1', 'playground-key-2']),
  },
  // The plugin's purge of old deleted messages is a cron job.
  cron: { enabled: env.bool('CRON_ENABLED', true) },
  logger: { updates: { enabled: false }, startup: { enabled: false } },
});
