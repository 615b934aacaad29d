import type { Core } from '@strapi/strapi';
import { seedPlayground } from './seed';

export default {
  register() {},

  /** `npm run playground` sets PLAYGROUND_SEED=true: demo users, threads and an admin on first start. */
  async bootstrap({ strapi }: { strapi: Core.Strapi }) {
    if (process.env.PLAYGROUND_SEED === 'true') await seedPlayground(strapi);
  },
};
