import type { Core } from '@strapi/strapi';
import { resolveAttachmentsConfig } from './config/attachments';
import { numberUploadedFiles } from './utils/form-positions';

const register = ({ strapi }: { strapi: Core.Strapi }) => {
  // Attachments name a refused file by its place in the upload's form (utils/form-positions.ts).
  if (resolveAttachmentsConfig(strapi.config.get('plugin::private-messages')).enabled) numberUploadedFiles(strapi);
};

export default register;
