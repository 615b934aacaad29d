// Source entry of the server side; Strapi loads the built `dist/server` through package.json's exports.
export { default } from './server/src';
