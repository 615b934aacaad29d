import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';

/** Lets an outbox drain in progress finish before Strapi closes the database. */
const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  await getService('outbox', strapi).stop();
};

export default destroy;
