import { winston, formats } from '@strapi/logger';

/** LOG_LEVEL=error keeps the tests quiet; the playground logs every request (http). */
const level = process.env.LOG_LEVEL ?? 'http';

export default {
  level,
  transports: [
    new winston.transports.Console({
      level,
      format: formats.prettyPrint({ timestamps: 'YYYY-MM-DD hh:mm:ss.SSS' }),
    }),
  ],
};
