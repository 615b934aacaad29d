import { generateDrupal } from '../helpers/drupal-generator';
import { createDrupalSource, type DrupalSource } from '../helpers/drupal-source';
import { useStrapi } from '../helpers/setup';

/*
 * How fast import-drupal goes, on a generated D7 2.x database of DRUPAL_IMPORT_THREADS threads
 * (default 3,000) and DRUPAL_IMPORT_USERS users (default 200). Run on demand only:
 *   DRUPAL_IMPORT_BENCH=1 node --experimental-vm-modules node_modules/jest/bin/jest.js test/api/drupal-import-speed.test.ts
 */
const enabled = process.env.DRUPAL_IMPORT_BENCH === '1';
const ctx = useStrapi({ grantAll: false });
let source: DrupalSource | undefined;
afterAll(async () => source?.drop());

(enabled ? it : it.skip)('imports a generated D7 2.x site and says how long it took', async () => {
  const threads = Number(process.env.DRUPAL_IMPORT_THREADS ?? 3000);
  const users = Number(process.env.DRUPAL_IMPORT_USERS ?? 200);
  const data = generateDrupal('d7-2', { seed: 11, threads, users });
  source = await createDrupalSource('d7-2', data);
  // Users straight into the users-permissions table (registering thousands through HTTP would be the benchmark).
  const table = ctx.strapi.db.metadata.get('plugin::users-permissions.user').tableName;
  const now = new Date();
  const rows = data.users.map((u, i) => ({
    document_id: `bench${String(i).padStart(19, '0')}`,
    username: `s_${u.name}`,
    email: u.mail.toLowerCase(),
    provider: 'local',
    confirmed: true,
    blocked: false,
    created_at: now,
    updated_at: now,
    published_at: now,
  }));
  for (let i = 0; i < rows.length; i += 200) await ctx.strapi.db.connection(table).insert(rows.slice(i, i + 200));

  const started = process.hrtime.bigint();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const report = await ctx.strapi.plugin('private-messages').service('drupal-import').run({ source: source.url, verify: process.env.DRUPAL_IMPORT_VERIFY !== '0' });
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // eslint-disable-next-line no-console
  console.log(
    `import-drupal (${process.env.DATABASE_CLIENT ?? 'sqlite'}): ${report.imported.threads} threads, ${report.imported.messages} messages, ` +
      `${report.imported.memberships} memberships in ${seconds.toFixed(1)} s (${Math.round(report.imported.messages / seconds)} messages/s, ` +
      `${report.verification ? 'check included' : 'no check'}), peak RSS ${Math.round(peak / 1048576)} MB`
  );
  if (report.verification) expect(report.verification.unreadDiffering).toEqual([]);
}, 1_800_000);
