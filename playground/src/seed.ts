import type { Core } from '@strapi/strapi';

const DEMO_PASSWORD = 'Password123!';
const DEMO_USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const ADMIN = { email: 'admin@playground.test', password: 'Admin12345!', firstname: 'Ada', lastname: 'Admin' };

/**
 * Content-API actions the Authenticated role gets in the playground: every route of the plugin but
 * the two privileged permissions, "view deleted messages" and "send messages to roles", which a site
 * builder grants to trusted roles only.
 */
const PRIVILEGED = ['plugin::private-messages.deleted-message.view', 'plugin::private-messages.role-recipients.find'];
const grantPluginActions = async (strapi: Core.Strapi, roleType: string) => {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: roleType } });
  const routes = strapi.plugin('private-messages').routes['content-api'].routes as { handler: string }[];
  const actions = routes
    .map((r) => `plugin::private-messages.${r.handler}`)
    .filter((action) => !PRIVILEGED.includes(action));
  const existing = await strapi.db
    .query('plugin::users-permissions.permission')
    .findMany({ where: { role: role.id, action: { $in: actions } }, select: ['action'] });
  const have = new Set(existing.map((p: { action: string }) => p.action));
  for (const action of actions.filter((a) => !have.has(a))) {
    await strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
  }
};

/** Listings are public ads: anyone may read them (the demo's "Contact the seller" page shows one). */
const LISTING_READ = ['api::listing.listing.find', 'api::listing.listing.findOne'];
const grantListingRead = async (strapi: Core.Strapi, roleType: string) => {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: roleType } });
  const existing = await strapi.db
    .query('plugin::users-permissions.permission')
    .findMany({ where: { role: role.id, action: { $in: LISTING_READ } }, select: ['action'] });
  const have = new Set(existing.map((p: { action: string }) => p.action));
  for (const action of LISTING_READ.filter((a) => !have.has(a))) {
    await strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
  }
};

const ensureUser = async (strapi: Core.Strapi, username: string, roleId: number) => {
  const existing = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { username } });
  if (existing) return existing;
  return strapi.plugin('users-permissions').service('user').add({
    username,
    email: `${username}@playground.test`,
    password: DEMO_PASSWORD,
    provider: 'local',
    confirmed: true,
    blocked: false,
    role: roleId,
  });
};

const ensureAdmin = async (strapi: Core.Strapi) => {
  if ((await strapi.db.query('admin::user').count()) > 0) return false;
  const superAdmin = await strapi.service('admin::role').getSuperAdmin();
  await strapi.service('admin::user').create({ ...ADMIN, registrationToken: null, isActive: true, roles: [superAdmin.id] });
  return true;
};

/** Listings whose sellers answer questions about them (the plugin's `contexts` in config/plugins). */
const DEMO_LISTINGS = [
  { title: 'City bike, barely used', price: 180, seller: 'bob' },
  { title: 'Two-seat sofa', price: 95, seller: 'carol' },
  { title: 'Film camera with a 50 mm lens', price: 240, seller: 'bob' },
];

const ensureListings = async (strapi: Core.Strapi, users: Record<string, { documentId?: string }>) => {
  const listings = strapi.documents('api::listing.listing' as any);
  if ((await listings.count({} as any)) > 0) return;
  for (const { seller, ...data } of DEMO_LISTINGS) {
    await listings.create({ data: { ...data, seller: { connect: [{ documentId: users[seller].documentId }] } }, status: 'published' } as any);
  }
};

export const seedPlayground = async (strapi: Core.Strapi) => {
  await grantPluginActions(strapi, 'authenticated');
  for (const roleType of ['public', 'authenticated']) await grantListingRead(strapi, roleType);
  const authenticated = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  const users: Record<string, { id: number; documentId?: string }> = {};
  for (const name of DEMO_USERS) users[name] = await ensureUser(strapi, name, authenticated.id);
  await ensureListings(strapi, users);
  const createdAdmin = await ensureAdmin(strapi);

  const messaging = strapi.plugin('private-messages').service('messaging');
  const threadCount = await strapi.db.query('plugin::private-messages.thread').count();
  if (threadCount === 0) {
    const { alice, bob, carol, dave, erin } = users;
    const order = await messaging.send({
      author: alice.id,
      recipients: [{ type: 'user', id: bob.id }],
      subject: 'Order #123',
      body: 'Hi Bob,\nhas my order shipped yet?',
      // The custom fields config/plugins declares, so the demo shows them.
      fields: { orderId: '123' },
      messageFields: { priority: 'high' },
    });
    await messaging.reply({ author: bob.id, threadId: order.thread.id, body: 'Yes, it left this morning.' });
    await messaging.reply({ author: alice.id, threadId: order.thread.id, body: 'Great, thanks!' });

    const trip = await messaging.send({
      author: carol.id,
      recipients: [alice, bob, dave].map((u) => ({ type: 'user', id: u.id })),
      subject: 'Team trip',
      body: '<p>Who is in for <strong>Saturday</strong>?</p>',
      format: 'basic_html',
    });
    await messaging.reply({ author: dave.id, threadId: trip.thread.id, body: 'Count me in.' });
    await messaging.reply({ author: bob.id, threadId: trip.thread.id, body: 'Me too!' });

    await messaging.send({
      author: erin.id,
      recipients: [{ type: 'user', id: alice.id }],
      body: 'Welcome to the playground. This thread has no subject.',
    });
  }

  const line = '-'.repeat(64);
  const banner = () => strapi.log.info(
    [
      line,
      'Private Messages playground',
      `  Admin panel: http://localhost:${strapi.config.get('server.port')}/admin`,
      `  Admin:       ${ADMIN.email} / ${ADMIN.password}${createdAdmin ? ' (created now)' : ''}`,
      `  Demo users:  ${DEMO_USERS.join(', ')} (password ${DEMO_PASSWORD}; log in with POST /api/auth/local)`,
      `  Demo inbox:  http://localhost:${strapi.config.get('server.port')}/messages/ (React, on the strapi-private-messages-client bindings)`,
      line,
    ].join('\n')
  );
  // Printed once the server listens, so it is the last thing on screen.
  strapi.server.httpServer.once('listening', banner);
};
