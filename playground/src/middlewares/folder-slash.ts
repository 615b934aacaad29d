import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '@strapi/strapi';

/**
 * A folder of public/ that holds an index.html (the demo inbox, /messages/) asked for without its
 * trailing slash is redirected to the slash form. Strapi's static server would answer the page
 * itself at /messages, where the page's relative links (./inbox.css, ./app.js) resolve against /
 * and miss. The folders are found once at startup (the demo is built before the server starts), so
 * a request costs one set lookup.
 */
const foldersWithIndex = (root: string, dir = root, found = new Set<string>()): Set<string> => {
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
    if (!entry.isDirectory() || (dir === root && entry.name === 'uploads')) continue;
    const folder = path.join(dir, entry.name);
    if (fs.existsSync(path.join(folder, 'index.html'))) found.add(`/${path.relative(root, folder).split(path.sep).join('/')}`);
    foldersWithIndex(root, folder, found);
  }
  return found;
};

export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  const folders = foldersWithIndex(path.resolve(strapi.dirs.static.public));
  return async (ctx: { method: string; path: string; search: string; status: number; redirect: (url: string) => void }, next: () => Promise<void>) => {
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && folders.has(ctx.path)) {
      ctx.status = 301;
      ctx.redirect(`${ctx.path}/${ctx.search}`);
      return;
    }
    await next();
  };
};
