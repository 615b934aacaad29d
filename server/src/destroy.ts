import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';

/**
 * Ends the streams and closes the stream's bus (no listener, timer or connection left), and lets
 * an outbox drain in progress finish, before Strapi closes the database.
 */
const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  await getService('stream', strapi).stop();
  await getService('outbox', strapi).stop();
};

export default destroy;
