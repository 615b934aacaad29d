import type { Core } from '@strapi/strapi';
import type { DigestFrequency, EmailLevel, PushContent, PushLevel } from '../config/defaults';
import * as preferencesRepo from '../repositories/preferences';
import { getService } from '../utils/get-service';

export type Preferences = { messagingEnabled: boolean; emailNotifications: EmailLevel; emailDigest: DigestFrequency;
  push: PushLevel;
  pushContent: PushContent;
};

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
      // Nothing is pushed, and a push shows nothing, until the user asks.
      push: (row?.push as PushLevel | null) ?? 'never',
      pushContent: (row?.pushContent as PushContent | null) ?? 'none',
    };
  };

  return {
    get,

    async update(userId: number, changes: Partial<Preferences>): Promise<Preferences> {
      const values: preferencesRepo.PreferenceValues = {};
      if (changes.messagingEnabled !== undefined) values.messaging_enabled = changes.messagingEnabled;
      if (changes.emailNotifications !== undefined) values.email_notifications = changes.emailNotifications;
      if (changes.emailDigest !== undefined) values.email_digest = changes.emailDigest;
      if (changes.push !== undefined) values.push = changes.push;
      if (changes.pushContent !== undefined) values.push_content = changes.pushContent;
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
