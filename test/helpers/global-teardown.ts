import { isMysql } from './databases';
import { dropStaleTemplates } from './mysql-template';

/** Runs once after a `jest` run: on MySQL/MariaDB, drops template databases of older builds (mysql-template.ts). */
export default async function globalTeardown() {
  if (isMysql()) await dropStaleTemplates();
}
