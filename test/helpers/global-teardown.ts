import { isMysql } from './databases';
import { dropTemplates } from './mysql-template';

/** Runs once after a `jest` run: on MySQL/MariaDB, drops the template databases the run copied from. */
export default async function globalTeardown() {
  if (isMysql() && process.env.MYSQL_TEST_TEMPLATE !== 'false') await dropTemplates();
}
