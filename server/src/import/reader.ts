import { readPhpValue, type PhpValue } from './php-serialized';
import type { Source } from './source';

/*
 * Reads privatemsg's tables, variant by variant. What differs (from the modules' .install files):
 *   d6-1  pm_index.uid, no `type` column (every row is a user); integer formats; no pm_setting
 *   d6-2  pm_index.recipient + type; integer formats; pm_setting, pm_disable
 *   d7-1  pm_index.recipient + type; varchar formats; has_tokens; pm_disable, pm_email_notify
 *   d7-2  as d7-1, plus reply_to_mid; pm_setting (which replaced pm_disable and pm_email_notify)
 * Optional modules (privatemsg_filter, pm_block_user, pm_email_notify) may be missing: their
 * tables are then simply not read.
 */
export const VARIANTS = ['d6-1', 'd6-2', 'd7-1', 'd7-2'] as const;
export type Variant = (typeof VARIANTS)[number];

export type SourceSchema = {
  variant: Variant;
  recipientColumn: 'uid' | 'recipient';
  hasType: boolean;
  hasTokens: boolean;
  integerFormats: boolean;
  tags: boolean;
  tagsHidden: boolean;
  blocks: boolean;
  disableTable: boolean;
  settingTable: boolean;
  emailNotifyTable: boolean;
  usersRoles: boolean;
};

export type SourceMessage = { mid: number; author: number; subject: string; body: string; format: string | number | null; timestamp: number; hasTokens: boolean };
export type IndexRow = { mid: number; threadId: number; recipient: number; isNew: boolean; deleted: number; type: string };
export type TagRow = { tagId: number; uid: number; threadId: number; tag: string; hidden: boolean };
export type DrupalUser = { uid: number; name: string; mail: string | null };

const int = (v: unknown) => Number(v ?? 0);

export const detectSchema = async (source: Source, forced?: Variant): Promise<SourceSchema> => {
  const index = await source.columns('pm_index');
  const message = await source.columns('pm_message');
  if (index.size === 0 || message.size === 0) throw new Error('No privatemsg tables (pm_index, pm_message) in the source database');
  const setting = (await source.columns('pm_setting')).size > 0;
  const integerFormats = /int/.test(message.get('format') ?? '');
  const detected: Variant = index.has('uid') ? 'd6-1' : integerFormats ? 'd6-2' : setting ? 'd7-2' : 'd7-1';
  const variant = forced ?? detected;
  if (forced && (forced === 'd6-1') !== index.has('uid')) {
    throw new Error(`--variant ${forced} does not fit the source: pm_index has ${index.has('uid') ? 'uid' : 'recipient'}`);
  }
  const tags = await source.columns('pm_tags');
  return {
    variant,
    recipientColumn: index.has('uid') ? 'uid' : 'recipient',
    hasType: index.has('type'),
    hasTokens: message.has('has_tokens'),
    integerFormats,
    tags: tags.size > 0 && (await source.columns('pm_tags_index')).size > 0,
    tagsHidden: tags.has('hidden'),
    blocks: (await source.columns('pm_block_user')).size > 0,
    disableTable: (await source.columns('pm_disable')).size > 0,
    settingTable: setting,
    emailNotifyTable: (await source.columns('pm_email_notify')).size > 0,
    usersRoles: (await source.columns('users_roles')).size > 0,
  };
};

const list = (ids: number[]) => ids.map(() => '?').join(', ');

/**
 * The text of a value written to our tables, without NUL bytes: MySQL keeps them, PostgreSQL refuses
 * them in text (every import into it failed at the batch holding one). Read here, so that a dry run
 * finds and counts them as the import does.
 */
const textOf = (value: unknown, onNul: () => void) => {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : String(value ?? '');
  if (!text.includes('\0')) return text;
  onNul();
  return text.replace(/\0/g, '');
};

/** `onNul`: called once per value that held NUL bytes (the report counts them). */
export const createReader = (source: Source, schema: SourceSchema, onNul: () => void = () => {}) => {
  const recipient = `i.${schema.recipientColumn}`;
  const type = schema.hasType ? 'i.type' : `'user'`;

  return {
    schema,

    async users(): Promise<DrupalUser[]> {
      const rows = await source.query(`select uid, name, mail from users where uid > 0`);
      return rows.map((r) => ({ uid: int(r.uid), name: String(r.name ?? ''), mail: r.mail == null ? null : String(r.mail) }));
    },

    async roles(): Promise<Map<number, string>> {
      const rows = await source.query(`select rid, name from role`).catch(() => []);
      return new Map(rows.map((r) => [int(r.rid), textOf(r.name, onNul)]));
    },

    /** Role ids per user (Drupal's authenticated role, 2, is implicit for every account). */
    async userRoles(): Promise<Map<number, number[]>> {
      const byUser = new Map<number, number[]>();
      if (!schema.usersRoles) return byUser;
      for (const r of await source.query(`select uid, rid from users_roles`)) {
        const uid = int(r.uid);
        byUser.set(uid, [...(byUser.get(uid) ?? []), int(r.rid)]);
      }
      return byUser;
    },

    async variables(): Promise<Map<string, PhpValue>> {
      const rows = await source.query(`select name, value from variable`).catch(() => []);
      return new Map(rows.map((r) => [String(r.name), readPhpValue(r.value as string | Buffer)]));
    },

    /**
     * Files on messages through Drupal 7 file or image fields (field_data_<field> rows of
     * privatemsg_message entities): counted for the report, never imported. 0 without the field tables.
     */
    async messageFileCount(): Promise<number> {
      const fields = await source
        .query(
          `select fc.field_name from field_config fc join field_config_instance fi on fi.field_id = fc.id
            where fi.entity_type = 'privatemsg_message' and fc.type in ('file', 'image') and fi.deleted = 0`
        )
        .catch(() => []);
      let count = 0;
      for (const f of fields) {
        const name = String(f.field_name);
        if (!/^[a-z0-9_]+$/.test(name)) continue;
        const [row] = await source.query(`select count(*) as n from field_data_${name} where entity_type = 'privatemsg_message' and deleted = 0`).catch(() => []);
        count += int(row?.n);
      }
      return count;
    },

    async threadCount(): Promise<number> {
      const [row] = await source.query(`select count(distinct thread_id) as n from pm_index`);
      return int(row?.n);
    },

    /** The next `limit` thread ids after `after`, in order (the participants index serves it). */
    async threadIdsAfter(after: number, limit: number): Promise<number[]> {
      const rows = await source.query(`select distinct thread_id from pm_index where thread_id > ? order by thread_id limit ${Number(limit)}`, [after]);
      return rows.map((r) => int(r.thread_id));
    },

    async indexRows(threadIds: number[]): Promise<IndexRow[]> {
      if (threadIds.length === 0) return [];
      const rows = await source.query(
        `select i.mid, i.thread_id, ${recipient} as recipient, i.is_new, i.deleted, ${type} as type
         from pm_index i where i.thread_id in (${list(threadIds)}) order by i.thread_id, i.mid`,
        threadIds
      );
      return rows.map((r) => ({
        mid: int(r.mid),
        threadId: int(r.thread_id),
        recipient: int(r.recipient),
        isNew: int(r.is_new) > 0,
        deleted: int(r.deleted),
        type: String(r.type ?? 'user'),
      }));
    },

    async messages(threadIds: number[]): Promise<SourceMessage[]> {
      if (threadIds.length === 0) return [];
      const rows = await source.query(
        `select m.mid, m.author, m.subject, m.body, m.format, m.timestamp${schema.hasTokens ? ', m.has_tokens' : ''}
         from pm_message m where m.mid in (select i.mid from pm_index i where i.thread_id in (${list(threadIds)})) order by m.mid`,
        threadIds
      );
      return rows.map((r) => ({
        mid: int(r.mid),
        author: int(r.author),
        subject: textOf(r.subject, onNul),
        body: textOf(r.body, onNul),
        format: r.format === null || r.format === undefined ? null : (r.format as string | number),
        timestamp: int(r.timestamp),
        hasTokens: int(r.has_tokens) > 0,
      }));
    },

    async tagRows(threadIds: number[]): Promise<TagRow[]> {
      if (!schema.tags || threadIds.length === 0) return [];
      const rows = await source.query(
        `select ti.tag_id, ti.uid, ti.thread_id, t.tag${schema.tagsHidden ? ', t.hidden' : ''}
         from pm_tags_index ti join pm_tags t on t.tag_id = ti.tag_id where ti.thread_id in (${list(threadIds)})`,
        threadIds
      );
      return rows.map((r) => ({ tagId: int(r.tag_id), uid: int(r.uid), threadId: int(r.thread_id), tag: textOf(r.tag, onNul), hidden: int(r.hidden) > 0 }));
    },

    /** pm_block_user: `author` may not write to `recipient` (the recipient blocked the author). */
    async blocks(): Promise<{ author: number; recipient: number }[]> {
      if (!schema.blocks) return [];
      return (await source.query(`select author, recipient from pm_block_user`)).map((r) => ({ author: int(r.author), recipient: int(r.recipient) }));
    },

    /** Users who turned messaging off (pm_disable, or pm_setting `disabled` at user level). */
    async disabledUsers(): Promise<number[]> {
      const ids = new Set<number>();
      if (schema.disableTable) for (const r of await source.query(`select uid from pm_disable`)) ids.add(int(r.uid));
      if (schema.settingTable) {
        for (const r of await source.query(`select id from pm_setting where type = 'user' and setting = 'disabled' and value = 1`)) ids.add(int(r.id));
      }
      return [...ids];
    },

    /** pm_setting rows of one setting, at every level: `user`, `role`, `global`. */
    async settingRows(setting: string): Promise<{ id: number; type: string; value: number }[]> {
      if (!schema.settingTable) return [];
      return (await source.query(`select id, type, value from pm_setting where setting = ? and value is not null`, [setting])).map((r) => ({
        id: int(r.id),
        type: String(r.type),
        value: int(r.value),
      }));
    },

    /** pm_email_notify (D6, D7 1.x): per user, 1 = every message, 0 = never. */
    async emailNotifyRows(): Promise<{ uid: number; enabled: boolean }[]> {
      if (!schema.emailNotifyTable) return [];
      return (await source.query(`select user_id, email_notify_is_enabled from pm_email_notify`)).map((r) => ({
        uid: int(r.user_id),
        enabled: int(r.email_notify_is_enabled) > 0,
      }));
    },

    /** privatemsg's own unread count per user (privatemsg_sql_unread_count), for the check. */
    async unreadCounts(): Promise<Map<number, number>> {
      const rows = await source.query(
        `select ${recipient} as uid, count(distinct i.thread_id) as n from pm_index i
         where i.deleted = 0 and i.is_new = 1${schema.hasType ? ` and i.type in ('user', 'hidden')` : ''} group by ${recipient}`
      );
      return new Map(rows.map((r) => [int(r.uid), int(r.n)]));
    },
  };
};

export type Reader = ReturnType<typeof createReader>;
