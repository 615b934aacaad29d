import type { Core } from '@strapi/strapi';
import type { DigestFrequency, EmailLevel } from '../config/defaults';
import * as preferencesRepo from '../repositories/preferences';
import { getService } from '../utils/get-service';

export type Preferences = { messagingEnabled: boolean; emailNotifications: EmailLevel; emailDigest: DigestFrequency };

/** A user's own choices: receiving messages at all, and how often to be told by email. */
const preferencesService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  const get = async (userId: number): Promise<Preferences> => {
    const [settings, row] = await Promise.all([getService('settings').get(), preferencesRepo.findPreferences(knex(), userId)]);
    return {
      messagingEnabled: row?.messagingEnabled ?? settings.messagingEnabledByDefault,
      emailNotifications: (row?.emailNotifications as EmailLevel | null) ?? settings.emailNotificationsDefault,
      // On a digest, no other notification email (repositories/outbox.ts expandMessageJob).
      emailDigest: (row?.emailDigest as DigestFrequency | null) ?? 'off',
    };
  };

  return {
    get,

    async update(userId: number, changes: Partial<Preferences>): Promise<Preferences> {
      const values: { messaging_enabled?: boolean; email_notifications?: string; email_digest?: string } = {};
      if (changes.messagingEnabled !== undefined) values.messaging_enabled = changes.messagingEnabled;
      if (changes.emailNotifications !== undefined) values.email_notifications = changes.emailNotifications;
      if (changes.emailDigest !== undefined) values.email_digest = changes.emailDigest;
      if (Object.keys(values).length > 0) await preferencesRepo.upsertPreferences(knex(), userId, values, new Date());
      return get(userId);
    },

    /** Of `userIds`, those who do not receive messages. */
    async withMessagingOff(userIds: number[]) {
      const settings = await getService('settings').get();
      return preferencesRepo.usersWithMessagingOff(knex(), userIds, settings.messagingEnabledByDefault);
    },
  };
};

export default preferencesService;
