export default [
  'strapi::logger',
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  // Uploads stream to temporary files, never whole into memory. formidable's maxFileSize counts
  // every file of a request together: the attachments' maxSize × maxPerMessage (10 MB × 10), so
  // a bigger request is cut off with a 413 while it arrives; each file's own limit is the plugin's.
  {
    name: 'strapi::body',
    config: { formidable: { maxFileSize: Number(process.env.PM_BODY_MAX_FILE_SIZE ?? 100 * 1024 * 1024) } },
  },
  'strapi::session',
  'strapi::favicon',
  // /messages → /messages/: the demo's relative links need the slash (src/middlewares/folder-slash.ts).
  'global::folder-slash',
  'strapi::public',
];
