import type { Core } from '@strapi/strapi';
import { ensureSubjectSearchIndex } from '../repositories/search-indexes';
import { ensureMessageSearchIndex } from '../repositories/message-search';
import { backfillDeliveredMarks } from '../repositories/membership-delivery';
import { backfillBlockPeriods } from '../repositories/blocks';
import { backfillArchived, backfillSent } from '../repositories/membership-folders';
import { ensureExactTagKeys } from '../repositories/tags';
import { backfillContacts } from '../repositories/contacts';

/**
 * What bootstrap asks of the database before anything is served: columns added after data existed,
 * filled once, and the indexes and collations Strapi's schema sync does not make. Bootstrap calls
 * this service; the statements are the repositories' own.
 */
const databaseUpkeepService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  /**
   * Fills a column added after data existed, once per database: the core store remembers it was
   * done, so later boots do not scan the table again (594k memberships: 130-200 ms on SQLite).
   */
  const backfillOnce = async (name: string, run: () => Promise<unknown>) => {
    const store = strapi.store({ type: 'plugin', name: 'private-messages' });
    const key = `backfill:${name}`;
    if (await store.get({ key })) return;
    await run();
    await store.set({ key, value: true });
  };

  return {
    async backfill() {
      await backfillOnce('delivered-marks', () => backfillDeliveredMarks(knex()));
      await backfillOnce('block-periods', () => backfillBlockPeriods(knex()));
      // Folders: threads imported as archived before the archive existed, and every Sent list.
      await backfillOnce('archived-folder', () => backfillArchived(knex()));
      await backfillOnce('sent-folder', () => backfillSent(knex()));
      // Contacts: the history of a site from before message requests counts, as an import's does.
      await backfillOnce('contacts', () => backfillContacts(knex()));
    },

    /**
     * MySQL/MariaDB: tag names unique ignoring case only, whatever the database's collation.
     * PostgreSQL: a trigram index for the inbox's subject search (`q`; it works without one).
     * The message search index (repositories/search-dialect): created, and filled from the messages
     * already there, the first time; Strapi's schema sync leaves it alone afterwards. The core store
     * records a finished fill, so a boot stopped halfway through one resumes it at the next boot.
     */
    async ensureIndexes() {
      await ensureExactTagKeys(knex());
      const subjectIndex = await ensureSubjectSearchIndex(knex());
      const store = strapi.store({ type: 'plugin', name: 'private-messages' });
      const filled = (await store.get({ key: 'messageSearchIndexFilled' })) === true;
      const messageIndex = await ensureMessageSearchIndex(knex(), { resume: !filled });
      if (!filled) await store.set({ key: 'messageSearchIndexFilled', value: true });
      return { subjectIndex, messageIndex };
    },
  };
};

export default databaseUpkeepService;
