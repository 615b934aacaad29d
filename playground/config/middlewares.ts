export default [
  'strapi::logger',
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  'strapi::body',
  'strapi::session',
  'strapi::favicon',
  // /messages → /messages/: the demo's relative links need the slash (src/middlewares/folder-slash.ts).
  'global::folder-slash',
  'strapi::public',
];
