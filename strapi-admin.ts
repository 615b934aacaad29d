// Source entry of the admin side; Strapi loads the built `dist/admin` through package.json's exports.
export { default } from './admin/src';
