import type { Core } from '@strapi/strapi';
import { runDrupalImport, type ImportOptions, type ImportProgress } from '../import/importer';
import { hasLosses, type ImportReport } from '../import/report';
import { summarize } from '../import/summary';

/**
 * The Drupal privatemsg importer, as a service so that the package's command
 * (`strapi-private-messages import-drupal`, bin/) runs it inside the loaded app, with the app's
 * database and settings. The work is in server/src/import/.
 */
const drupalImportService = ({ strapi }: { strapi: Core.Strapi }) => ({
  run(options: ImportOptions, onProgress?: (p: ImportProgress) => void) {
    return runDrupalImport(strapi, options, onProgress);
  },
  /** The command's exit code for a finished run: 0 complete, 2 with unmatched users, losses or a failed check. */
  exitCodeOf(report: ImportReport) {
    return hasLosses(report) ? 2 : 0;
  },
  summarize,
});

export default drupalImportService;
