/*
 * privatemsg's tables as Drupal creates them on MySQL/MariaDB, per variant, transcribed from the
 * modules' hook_schema (privatemsg.install, privatemsg_filter.install, pm_block_user.install,
 * pm_email_notify.install of backdrop-contrib/privatemsg 7.x-1.x and 7.x-2.x, and the 6.x
 * branches as docs/migrating-from-drupal.md sums them up): `int` unsigned is int(10) unsigned,
 * text 'big' is longtext, 'tiny' tinyint(3) unsigned, 'small' smallint(5) unsigned, serial is
 * AUTO_INCREMENT. Plus the few core tables the importer reads (users, role, users_roles, variable).
 */
export type DrupalVariant = 'd6-1' | 'd6-2' | 'd7-1' | 'd7-2';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8';

const core = (variant: DrupalVariant) => [
  `CREATE TABLE users (
    uid int(10) unsigned NOT NULL DEFAULT 0,
    name varchar(60) NOT NULL DEFAULT '',
    pass varchar(128) NOT NULL DEFAULT '',
    mail varchar(${variant.startsWith('d6') ? 64 : 254}) DEFAULT '',
    created int(11) NOT NULL DEFAULT 0,
    status tinyint(4) NOT NULL DEFAULT 0,
    PRIMARY KEY (uid), UNIQUE KEY name (name), KEY mail (mail)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE role (
    rid int(10) unsigned NOT NULL AUTO_INCREMENT,
    name varchar(64) NOT NULL DEFAULT '',
    PRIMARY KEY (rid), UNIQUE KEY name (name)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE users_roles (
    uid int(10) unsigned NOT NULL DEFAULT 0,
    rid int(10) unsigned NOT NULL DEFAULT 0,
    PRIMARY KEY (uid, rid), KEY rid (rid)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE variable (
    name varchar(128) NOT NULL DEFAULT '',
    value ${variant.startsWith('d6') ? 'longtext' : 'longblob'} NOT NULL,
    PRIMARY KEY (name)
  ) ${TABLE_OPTIONS}`,
];

const pmIndex = (variant: DrupalVariant) =>
  variant === 'd6-1'
    ? // 6.x-1.x: `uid`, no type, and no primary key (duplicate rows happen).
      `CREATE TABLE pm_index (
        mid int(10) unsigned NOT NULL,
        thread_id int(10) unsigned NOT NULL,
        uid int(10) unsigned NOT NULL,
        is_new int(10) unsigned NOT NULL DEFAULT 1,
        deleted int(10) unsigned NOT NULL DEFAULT 0,
        KEY list (uid, deleted, is_new), KEY messages (mid, uid), KEY participants (thread_id, uid, deleted)
      ) ${TABLE_OPTIONS}`
    : `CREATE TABLE pm_index (
        mid int(10) unsigned NOT NULL,
        thread_id int(10) unsigned NOT NULL,
        recipient int(10) unsigned NOT NULL,
        is_new int(10) unsigned NOT NULL DEFAULT 1,
        deleted int(10) unsigned NOT NULL DEFAULT 0,
        type varchar(255) NOT NULL DEFAULT 'user',
        PRIMARY KEY (mid, recipient, type),
        KEY list (recipient, type, deleted, is_new), KEY messages (mid, recipient, type),
        KEY participants (thread_id, recipient, type, deleted)
      ) ${TABLE_OPTIONS}`;

const pmMessage = (variant: DrupalVariant) => `CREATE TABLE pm_message (
    mid int(10) unsigned NOT NULL AUTO_INCREMENT,
    author int(10) unsigned NOT NULL,
    subject varchar(255) NOT NULL,
    body longtext NOT NULL,
    ${variant.startsWith('d6') ? 'format smallint(6) NOT NULL DEFAULT 0' : 'format varchar(255) DEFAULT NULL'},
    timestamp int(10) unsigned NOT NULL,
    ${variant.startsWith('d7') ? 'has_tokens smallint(5) unsigned NOT NULL DEFAULT 0,' : ''}
    ${variant === 'd7-2' ? 'reply_to_mid int(10) unsigned NOT NULL DEFAULT 0,' : ''}
    PRIMARY KEY (mid)
  ) ${TABLE_OPTIONS}`;

const pmTags = (variant: DrupalVariant) => [
  `CREATE TABLE pm_tags (
    tag_id int(10) unsigned NOT NULL AUTO_INCREMENT,
    tag varchar(255) NOT NULL,
    public tinyint(3) unsigned DEFAULT 0,
    ${variant === 'd6-1' ? '' : 'hidden tinyint(3) unsigned DEFAULT 0,'}
    PRIMARY KEY (tag_id), KEY tag_list (tag_id, tag, public)
  ) ${TABLE_OPTIONS}`,
  `CREATE TABLE pm_tags_index (
    tag_id int(10) unsigned NOT NULL,
    uid int(10) unsigned NOT NULL,
    thread_id int(10) unsigned NOT NULL,
    PRIMARY KEY (tag_id, uid, thread_id), KEY thread_tags (uid, thread_id)
  ) ${TABLE_OPTIONS}`,
];

const pmBlockUser = `CREATE TABLE pm_block_user (
    author int(10) unsigned NOT NULL,
    recipient int(10) unsigned NOT NULL,
    PRIMARY KEY (author, recipient)
  ) ${TABLE_OPTIONS}`;

const pmSetting = `CREATE TABLE pm_setting (
    id int(10) unsigned NOT NULL,
    type varchar(128) NOT NULL,
    setting varchar(128) NOT NULL,
    value int(11) DEFAULT NULL,
    PRIMARY KEY (id, type, setting)
  ) ${TABLE_OPTIONS}`;

const pmDisable = `CREATE TABLE pm_disable (
    uid int(10) unsigned NOT NULL,
    PRIMARY KEY (uid)
  ) ${TABLE_OPTIONS}`;

const pmEmailNotify = `CREATE TABLE pm_email_notify (
    user_id int(10) unsigned NOT NULL,
    email_notify_is_enabled int(10) unsigned NOT NULL,
    UNIQUE KEY user_id (user_id)
  ) ${TABLE_OPTIONS}`;

/** Every CREATE TABLE of a site on this variant with privatemsg, privatemsg_filter, pm_block_user and pm_email_notify. */
export const drupalDdl = (variant: DrupalVariant, { filter = true } = {}) => [
  ...core(variant),
  pmIndex(variant),
  pmMessage(variant),
  ...(filter ? pmTags(variant) : []),
  pmBlockUser,
  ...(variant === 'd7-2' || variant === 'd6-2' ? [pmSetting] : []),
  ...(variant === 'd7-1' || variant === 'd6-2' ? [pmDisable] : []),
  ...(variant === 'd7-1' || variant === 'd6-1' ? [pmEmailNotify] : []),
];

/*
 * D7 2.x on PostgreSQL, as Drupal 7's pgsql driver creates it: unsigned ints are integers with a
 * CHECK (>= 0), serial for serial, text for 'big' text, bytea for blobs (`variable.value`).
 */
const u = (name: string, extra = 'NOT NULL') => `${name} integer ${extra} CHECK (${name} >= 0)`;
export const drupalPgDdlD7_2 = () => [
  `CREATE TABLE users (${u('uid', "NOT NULL DEFAULT 0")}, name varchar(60) NOT NULL DEFAULT '', pass varchar(128) NOT NULL DEFAULT '',
    mail varchar(254) DEFAULT '', created integer NOT NULL DEFAULT 0, status smallint NOT NULL DEFAULT 0, PRIMARY KEY (uid))`,
  `CREATE TABLE role (rid serial CHECK (rid >= 0), name varchar(64) NOT NULL DEFAULT '', PRIMARY KEY (rid))`,
  `CREATE TABLE users_roles (${u('uid', 'NOT NULL DEFAULT 0')}, ${u('rid', 'NOT NULL DEFAULT 0')}, PRIMARY KEY (uid, rid))`,
  `CREATE TABLE variable (name varchar(128) NOT NULL DEFAULT '', value bytea NOT NULL, PRIMARY KEY (name))`,
  `CREATE TABLE pm_index (${u('mid')}, ${u('thread_id')}, ${u('recipient')}, ${u('is_new', 'NOT NULL DEFAULT 1')},
    ${u('deleted', 'NOT NULL DEFAULT 0')}, type varchar(255) NOT NULL DEFAULT 'user', PRIMARY KEY (mid, recipient, type))`,
  `CREATE INDEX pm_index_list_idx ON pm_index (recipient, type, deleted, is_new)`,
  `CREATE INDEX pm_index_messages_idx ON pm_index (mid, recipient, type)`,
  `CREATE INDEX pm_index_participants_idx ON pm_index (thread_id, recipient, type, deleted)`,
  `CREATE TABLE pm_message (mid serial CHECK (mid >= 0), ${u('author')}, subject varchar(255) NOT NULL, body text NOT NULL,
    format varchar(255) NULL, ${u('timestamp')}, has_tokens smallint NOT NULL DEFAULT 0 CHECK (has_tokens >= 0),
    ${u('reply_to_mid', 'NOT NULL DEFAULT 0')}, PRIMARY KEY (mid))`,
  `CREATE TABLE pm_tags (tag_id serial CHECK (tag_id >= 0), tag varchar(255) NOT NULL, public smallint DEFAULT 0 CHECK (public >= 0),
    hidden smallint DEFAULT 0 CHECK (hidden >= 0), PRIMARY KEY (tag_id))`,
  `CREATE TABLE pm_tags_index (${u('tag_id')}, ${u('uid')}, ${u('thread_id')}, PRIMARY KEY (tag_id, uid, thread_id))`,
  `CREATE TABLE pm_block_user (${u('author')}, ${u('recipient')}, PRIMARY KEY (author, recipient))`,
  `CREATE TABLE pm_setting (${u('id')}, type varchar(128) NOT NULL, setting varchar(128) NOT NULL, value integer NULL, PRIMARY KEY (id, type, setting))`,
];
