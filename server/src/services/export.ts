import { Readable } from 'node:stream';
import type { Core } from '@strapi/strapi';
import { exportDocument } from '../repositories/export';

/**
 * A user's messaging data as one JSON document, streamed: the sections (repositories/export.ts)
 * are read page by page as the client takes the text, so a user in thousands of threads is
 * exported in constant memory. The same document for the user (GET /export) and for an admin
 * (GET /private-messages/users/:id/export, audited by the controller).
 */
const exportService = ({ strapi }: { strapi: Core.Strapi }) => ({
  stream(userId: number): Readable {
    return Readable.from(exportDocument(strapi.db.connection, userId), { objectMode: false });
  },

  /** The file name offered for download. */
  fileName(userId: number, now = new Date()) {
    return `private-messages-${userId}-${now.toISOString().slice(0, 10)}.json`;
  },
});

export default exportService;
