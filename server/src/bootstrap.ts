import type { Core } from '@strapi/strapi';

const bootstrap = async ({ strapi: _strapi }: { strapi: Core.Strapi }) => {};

export default bootstrap;
