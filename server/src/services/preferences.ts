import type { Core } from '@strapi/strapi';
import type { AllowMessagesFrom, DigestFrequency, EmailLevel, PushContent, PushLevel } from '../config/defaults';
import * as preferencesRepo from '../repositories/preferences';
import { getService } from '../utils/get-service';

export type Preferences = {
  messagingEnabled: boolean;
  emailNotifications: EmailLevel;
  allowMessagesFrom: AllowMessagesFrom;
  emailDigest: DigestFrequency;
  push: PushLevel;
  pushContent: PushContent;
};

/** A user's own choices: receiving messages at all, from whom, and how often to be told by email. */
const preferencesService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  const get = async (userId: number): Promise<Preferences> => {
    const [settings, row] = await Promise.all([getService('settings').get(), preferencesRepo.findPreferences(knex(), userId)]);
    return {
      messagingEnabled: row?.messagingEnabled ?? settings.messagingEnabledByDefault,
      emailNotifications: (row?.emailNotifications as EmailLevel | null) ?? settings.emailNotificationsDefault,
      allowMessagesFrom: (row?.allowMessagesFrom as AllowMessagesFrom | null) ?? settings.allowMessagesFromDefault,
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
      if (changes.allowMessagesFrom !== undefined) values.allow_messages_from = changes.allowMessagesFrom;
      if (changes.emailDigest !== undefined) values.email_digest = changes.emailDigest;
      if (changes.push !== undefined) values.push = changes.push;
      if (changes.pushContent !== undefined) values.push_content = changes.pushContent;
      if (Object.keys(values).length > 0) await preferencesRepo.upsertPreferences(knex(), userId, values, new Date());
      return get(userId);
    },

    /** Who may start a thread with each of `userIds` (their choice, else the site default). */
    async allowMessagesFrom(userIds: number[]): Promise<Map<number, AllowMessagesFrom>> {
      const [settings, chosen] = await Promise.all([getService('settings').get(), preferencesRepo.allowMessagesFromOf(knex(), userIds)]);
      return new Map(userIds.map((id) => [id, (chosen.get(id) as AllowMessagesFrom | undefined) ?? settings.allowMessagesFromDefault]));
    },

    /** Of `userIds`, those who do not receive messages. */
    async withMessagingOff(userIds: number[]) {
      const settings = await getService('settings').get();
      return preferencesRepo.usersWithMessagingOff(knex(), userIds, settings.messagingEnabledByDefault);
    },
  };
};

export default preferencesService;
