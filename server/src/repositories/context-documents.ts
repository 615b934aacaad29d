import type { Core } from '@strapi/strapi';
import { contentTypes } from '@strapi/utils';
import { selectRows, whereIdIn, type Db } from './dialect';

/*
 * The documents threads are about ("contact the seller"), read from their content type's own table
 * as Strapi maps it (its metadata: table, columns, the owner relation's join table), so that a
 * page's titles, or a document and its owner, are one statement on Strapi's (document_id, locale,
 * published_at) index. Strapi's document service reads the same rows, but the owner in a second
 * statement (its populate), and through a stack of middlewares per call.
 */

const USER_UID = 'plugin::users-permissions.user';

/** How a document's owner is reached: a link table (Strapi's default for relations) or a column of its own row. */
type OwnerPath =
  | { linkTable: string; documentColumn: string; documentKey: string; userColumn: string; userKey: string }
  | { column: string; userKey: string };

/** Where a content type's documents and their owners are, and which of its versions count. */
export type DocumentTable = {
  table: string;
  documentId: string;
  title: string;
  /** A localized type's versions, one per locale, share a documentId; null when not localized. */
  locale: string | null;
  /** Draft & publish: only published versions count; null when the type has no drafts. */
  publishedAt: string | null;
  owner: OwnerPath;
  usersTable: string;
};

/** One published version of a document (one per locale of a localized type). */
export type PublishedVersion = { documentId: string; title: unknown; locale: string | null; ownerId: number | null };

type AttributeMeta = {
  columnName?: string;
  joinTable?: {
    name: string;
    joinColumn: { name: string; referencedColumn: string };
    inverseJoinColumn: { name: string; referencedColumn: string };
  };
  joinColumn?: { name: string; referencedColumn: string };
};

/** The table of `uid` as Strapi maps it, with the declaration's title and owner attributes. */
export const documentTableOf = (strapi: Core.Strapi, uid: string, fields: { titleField: string; ownerField: string }, localized: boolean): DocumentTable => {
  const meta = strapi.db.metadata.get(uid as never) as unknown as { tableName: string; attributes: Record<string, AttributeMeta> };
  const column = (attribute: string) => meta.attributes[attribute]?.columnName ?? attribute;
  const relation = meta.attributes[fields.ownerField];
  let owner: OwnerPath;
  if (relation?.joinTable) {
    const { name, joinColumn, inverseJoinColumn } = relation.joinTable;
    owner = {
      linkTable: name,
      documentColumn: joinColumn.name,
      documentKey: joinColumn.referencedColumn,
      userColumn: inverseJoinColumn.name,
      userKey: inverseJoinColumn.referencedColumn,
    };
  } else if (relation?.joinColumn) {
    owner = { column: relation.joinColumn.name, userKey: relation.joinColumn.referencedColumn };
  } else {
    throw new Error(`${uid}.${fields.ownerField} is not a relation Strapi maps to a join table or column`);
  }
  const model = strapi.contentTypes[uid as keyof typeof strapi.contentTypes];
  return {
    table: meta.tableName,
    documentId: column('documentId'),
    title: column(fields.titleField),
    locale: localized ? column('locale') : null,
    publishedAt: contentTypes.hasDraftAndPublish(model as never) ? column('publishedAt') : null,
    owner,
    usersTable: strapi.db.metadata.get(USER_UID).tableName,
  };
};

/**
 * The published versions of these documents, in one statement whatever their number (a page's):
 * every locale's of a localized type, and with `withOwner` the user each one's owner relation
 * points at (null when none, or when that user no longer exists).
 */
export const findPublishedVersions = async (db: Db, t: DocumentTable, documentIds: string[], withOwner: boolean): Promise<PublishedVersion[]> => {
  if (documentIds.length === 0) return [];
  const query = db(`${t.table} as d`).select(`d.${t.documentId} as document_id`, `d.${t.title} as title`);
  if (t.locale) query.select(`d.${t.locale} as locale`);
  if (withOwner) {
    const o = t.owner;
    if ('linkTable' in o) {
      query.leftJoin(`${o.linkTable} as k`, `k.${o.documentColumn}`, `d.${o.documentKey}`).leftJoin(`${t.usersTable} as u`, `u.${o.userKey}`, `k.${o.userColumn}`);
    } else {
      query.leftJoin(`${t.usersTable} as u`, `u.${o.userKey}`, `d.${o.column}`);
    }
    query.select('u.id as owner_id');
  }
  whereIdIn(db, query, `d.${t.documentId}`, documentIds);
  if (t.publishedAt) query.whereNotNull(`d.${t.publishedAt}`);
  return (await selectRows(db, query)).map((row) => ({
    documentId: String(row.document_id),
    title: row.title,
    locale: row.locale === undefined || row.locale === null ? null : String(row.locale),
    ownerId: row.owner_id === undefined || row.owner_id === null ? null : Number(row.owner_id),
  }));
};
