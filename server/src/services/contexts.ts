import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { z } from 'zod';
import { checkContextsAgainstModels, contextUrl, resolveContextsConfig, type ContextDeclarations } from '../config/contexts';
import { documentTableOf, findPublishedVersions, type DocumentTable, type PublishedVersion } from '../repositories/context-documents';
import { findAskedThread, type DocumentRef } from '../repositories/contexts';
import type { ThreadRow } from '../repositories/threads';
import { forbidden, notFound, validationError } from '../utils/errors';
import { getService } from '../utils/get-service';
import { parse } from '../validation';
import { newThreadOrAskSchema } from '../validation/contexts';
import type { Actor } from './people';
import { AskedMeanwhile } from './messaging';

type UserInput = number | { id: number; role?: { id: number } | null };
type AskData = Omit<z.infer<typeof newThreadOrAskSchema>, 'recipients' | 'skipRefused'> & { context: DocumentRef };
export type AskInput = Omit<z.input<typeof newThreadOrAskSchema>, 'recipients' | 'skipRefused'> & { author: UserInput; context: DocumentRef };
export type ThreadContext = { uid: string; documentId: string; title: string | null; url: string; available: boolean };

/**
 * Threads about a document ("contact the seller"): which content types can be asked about
 * (config/contexts.ts), who answers (the owner of the published document, as its declared user
 * relation says), and what a reader is shown of the document. Writing goes through the
 * messaging service like any send, so every sending rule applies.
 */
const contextsService = ({ strapi }: { strapi: Core.Strapi }) => {
  let declared: ContextDeclarations | null = null;
  const declarations = () => (declared ??= resolveContextsConfig(strapi.config.get('plugin::private-messages') ?? {}));

  const declarationOf = (uid: string, path: string[]) => {
    const declaration = Object.prototype.hasOwnProperty.call(declarations(), uid) ? declarations()[uid] : undefined;
    if (!declaration) throw validationError(`${uid} cannot be asked about`, [{ path, message: 'is not a content type declared in the plugin’s contexts' }]);
    return declaration;
  };

  const isLocalized = (uid: string) => {
    const i18n = strapi.plugin('i18n')?.service('content-types');
    return Boolean(i18n?.isLocalizedContentType(strapi.contentTypes[uid as keyof typeof strapi.contentTypes]));
  };

  // Where each declared type's documents are: Strapi's mapping, fixed once the content types are loaded.
  const tables = new Map<string, DocumentTable>();
  const tableOf = (uid: string) => {
    let table = tables.get(uid);
    if (!table) tables.set(uid, (table = documentTableOf(strapi, uid, declarations()[uid], isLocalized(uid))));
    return table;
  };

  /**
   * The published version of each of these documents of one content type, in one statement
   * whatever their number. A documentId is the same across a localized type's locales: when a
   * document is published in several, the default locale's version is the one read (else the first
   * found), and the default locale is looked up only then, not on every page.
   */
  const publishedVersions = async (uid: string, documentIds: string[], withOwner: boolean) => {
    const versions = await findPublishedVersions(strapi.db.connection, tableOf(uid), documentIds, withOwner);
    const byDocument = new Map<string, PublishedVersion>();
    let defaultLocale: string | null | undefined;
    for (const version of versions) {
      if (!byDocument.has(version.documentId)) {
        byDocument.set(version.documentId, version);
        continue;
      }
      if (defaultLocale === undefined) defaultLocale = (await strapi.plugin('i18n')?.service('locales').getDefaultLocale()) ?? null;
      if (version.locale === defaultLocale) byDocument.set(version.documentId, version);
    }
    return byDocument;
  };

  /** The owner's user id of a published document; 404 when it is not published (or does not exist), 403 no_owner. */
  const ownerOf = async (about: DocumentRef) => {
    declarationOf(about.uid, ['context', 'uid']);
    const document = (await publishedVersions(about.uid, [about.documentId], true)).get(about.documentId);
    if (!document) throw new errors.NotFoundError('Document not found');
    if (!document.ownerId) throw forbidden('Nobody answers questions about this document', { code: 'no_owner' });
    return document.ownerId;
  };

  /**
   * Asks the document's owner: a reply in the asker's thread about it while both are still in it,
   * else a new thread to the current owner. Both through messaging: no second writer.
   */
  const askAs = async (author: Actor, data: AskData, options: Parameters<ReturnType<typeof getService<'messaging'>>['startThread']>[2] = {}) => {
    const { context: ref, fields, messageFields, body, format, subject } = data;
    const about = { uid: ref.uid, documentId: ref.documentId };
    const ownerId = await ownerOf(about);
    if (ownerId === author.id) throw forbidden('This is your own document', { code: 'own_document' });
    const messaging = getService('messaging');
    const replyIn = async (threadDocumentId: string) => {
      const message = await messaging.addReply(author, threadDocumentId, { body, format, fields: messageFields }, options);
      const thread = await getService('inbox').getThreadSummary(author, threadDocumentId);
      return { thread, message, refused: [], created: false };
    };
    const asked = await findAskedThread(strapi.db.connection, about, author.id, ownerId);
    if (asked?.askerIsIn && asked.ownerIsIn) return replyIn(asked.threadDocumentId);
    try {
      const started = await messaging.startThread(
        author,
        { recipients: [{ type: 'user', id: ownerId }], body, format, subject, fields, messageFields },
        { ...options, context: about }
      );
      return { ...started, created: true };
    } catch (error) {
      if (error instanceof AskedMeanwhile) return replyIn(error.threadDocumentId);
      throw error;
    }
  };

  /** POST /threads' body: recipients or a context, and the site's custom fields. */
  const newThreadSchema = () => {
    const withFields = getService('fields').newThreadSchema().shape;
    return newThreadOrAskSchema.extend({ fields: withFields.fields, messageFields: withFields.messageFields });
  };

  return {
    /** The declarations as config/plugins gives them (listed read-only with the admin settings). */
    declarations: () => declarations(),

    /** Every declaration checked against the loaded content types (bootstrap): a bad one stops Strapi. */
    check() {
      checkContextsAgainstModels(declarations(), (uid) => strapi.contentTypes[uid as keyof typeof strapi.contentTypes] as never);
    },

    newThreadSchema,

    askAs,

    /** The programmatic API: `ask({author, context: {uid, documentId}, body, format?})`, validated as over HTTP. */
    async ask(input: AskInput, options: { bypassRules?: boolean } = {}) {
      const { author: authorInput, ...rest } = input;
      const data = parse(newThreadSchema(), rest);
      if (!data.context) throw validationError('Invalid body: context Required', [{ path: ['context'], message: 'Required' }]);
      const author = await getService('people').actorOf(authorInput);
      if (!author) throw forbidden('The author does not exist', { code: 'unknown_author' });
      return askAs(author, data as AskData, options);
    },

    /** The caller's own thread about a document (the one asking again would reply in), or 404. */
    async threadAbout(viewer: Actor, ref: DocumentRef) {
      declarationOf(ref.uid, ['uid']);
      const asked = await findAskedThread(strapi.db.connection, ref, viewer.id);
      if (!asked?.askerIsIn) throw notFound('Thread');
      return { data: await getService('inbox').getThreadSummary(viewer, asked.threadDocumentId) };
    },

    /**
     * What readers are shown of the documents these threads are about, read now (not copied when
     * the thread started): one statement per declared content type on the page, never one per thread.
     * A thread whose content type is no longer declared shows none.
     */
    async present(threads: ThreadRow[]): Promise<(thread: ThreadRow) => ThreadContext | null> {
      const byUid = new Map<string, Set<string>>();
      for (const { context } of threads) {
        if (!context || !Object.prototype.hasOwnProperty.call(declarations(), context.uid)) continue;
        byUid.set(context.uid, (byUid.get(context.uid) ?? new Set()).add(context.documentId));
      }
      const found = new Map<string, Map<string, PublishedVersion>>();
      await Promise.all([...byUid].map(async ([uid, ids]) => found.set(uid, await publishedVersions(uid, [...ids], false))));
      return ({ context }) => {
        if (!context || !found.has(context.uid)) return null;
        const d = declarations()[context.uid];
        const document = found.get(context.uid)!.get(context.documentId);
        const title = document?.title;
        return {
          uid: context.uid,
          documentId: context.documentId,
          title: title === null || title === undefined ? null : String(title),
          url: contextUrl(d.urlTemplate, context.documentId),
          available: Boolean(document),
        };
      };
    },
  };
};

export default contextsService;
