import type { Core } from '@strapi/strapi';
import { runDrupalImport, type ImportOptions, type ImportProgress } from './importer';
import { hasLosses, type ImportReport } from './report';
import { summarize } from './summary';

/**
 * The Drupal privatemsg importer, as the plugin's `drupal-import` service so that the package's
 * command (`strapi-private-messages import-drupal`, bin/) runs it inside the loaded app, with the
 * app's database and settings. It lives here, not in services/, and is added to the plugin's
 * services by server/src/index.ts: the importer calls services and repositories, and no service
 * imports the importer.
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
