import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import * as repo from '../repositories/attachments';
import type { AttachmentRow } from '../repositories/attachments';
import type { Db } from '../repositories/db';
import { resolveAttachmentsConfig, type AttachmentsConfig } from '../config/attachments';
import { createStorage, type AttachmentStorage, type StoredFile } from '../storage';
import { payloadTooLarge, serviceUnavailable, unprocessable, validationError } from '../utils/errors';
import { createDocumentId } from '../utils/ids';
import { inTransaction } from '../utils/transaction';
import { getService } from '../utils/get-service';
import { EVENTS } from '../events';
import { cleanName, contradicts, isImage, newStorageKey, processImage, removeQuietly, sha256Of, sniff, THUMBNAIL_MIME, unsupported } from './attachment-files';
import type { Actor } from './people';
import type { Attachment, ScannedFile, Scanner, UploadedFile } from './attachment-types';
import { enforceStagedCap, precheckStagedCap } from './attachment-staged-cap';

export type { Attachment, ScannedFile, Scanner, UploadedFile } from './attachment-types';

/**
 * Private attachments. Uploading stages files owned by the uploader; a send claims them (own,
 * staged, once); the bytes are served only to whoever sees the message (repositories/attachments:
 * findViewableAttachment, on visibility.seenBy), and leave storage with their message (purge,
 * erasure) or, staged and never sent, after `stagedHours`.
 */
const attachmentsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  let resolved: AttachmentsConfig | undefined;
  let storage: AttachmentStorage | null = null;
  const scanners: Scanner[] = [];
  const config = () => (resolved ??= resolveAttachmentsConfig(strapi.config.get('plugin::private-messages')));
  const prefix = () => `${strapi.config.get('api.rest.prefix', '/api')}/private-messages/attachments`;
  const store = () => {
    if (!storage) throw new errors.NotFoundError('Attachments are not enabled');
    return storage;
  };

  const present = (a: AttachmentRow): Attachment => ({
    id: a.documentId,
    name: a.name,
    mime: a.mime,
    size: a.size,
    ...(a.width !== null && a.height !== null ? { width: a.width, height: a.height } : {}),
    url: `${prefix()}/${a.documentId}/content`,
    ...(a.thumbnailKey ? { thumbnailUrl: `${prefix()}/${a.documentId}/thumbnail` } : {}),
  });

  const filesOf = (rows: AttachmentRow[]): StoredFile[] =>
    rows.flatMap((a) => [
      { key: a.storageKey, mime: a.mime, size: a.size },
      ...(a.thumbnailKey ? [{ key: a.thumbnailKey, mime: THUMBNAIL_MIME, size: 0 }] : []),
    ]);

  /** Deletes rows, then their bytes (a file whose row is gone can no longer be served). */
  const deleteRowsAndFiles = async (rows: AttachmentRow[], options: { stagedOnly?: boolean } = {}) => {
    if (rows.length === 0) return 0;
    const ids = rows.map((r) => r.id);
    // Staged only: a file a send claimed meanwhile stays (its row is no longer staged).
    const left = await inTransaction(strapi, async (trx) => {
      await repo.deleteRows(trx, ids, options);
      return new Set(await repo.existingIds(trx, ids));
    });
    const gone = rows.filter((r) => !left.has(r.id));
    if (storage) await storage.remove(filesOf(gone));
    return gone.length;
  };

  const scan = async (file: ScannedFile) => {
    for (const scanner of scanners) {
      let verdict: 'clean' | 'infected';
      try {
        verdict = await scanner(file);
      } catch (error) {
        if (config().scanFailure === 'open') {
          strapi.log.warn(`[private-messages] attachment scanner failed, file accepted (scanFailure: open): ${(error as Error).message}`);
          continue;
        }
        throw serviceUnavailable('The file could not be scanned; try again later', { code: 'scan_failed' });
      }
      if (verdict !== 'clean') throw unprocessable('The file was refused by the scanner', { code: 'infected' });
    }
  };

  /** Checks one uploaded file and stores it (and its thumbnail); answers the row to insert. */
  const stageOne = async (actor: Actor, file: UploadedFile, index: number): Promise<repo.NewAttachment> => {
    const cfg = config();
    if (file.size > cfg.maxSize) throw payloadTooLarge(`A file may be at most ${cfg.maxSize} bytes`);
    const mime = await sniff(file.filepath);
    if (!mime || !cfg.allowedTypes.includes(mime) || contradicts(file.mimetype, mime)) throw unsupported(index, mime);
    const name = cleanName(file.originalFilename);
    let image: Awaited<ReturnType<typeof processImage>> | null = null;
    if (isImage(mime)) {
      try {
        image = await processImage(file.filepath, mime);
      } catch {
        // Bytes that start like an image but do not decode as one.
        throw unsupported(index, mime);
      }
    }
    try {
      const finalPath = image?.file ?? file.filepath;
      const size = image?.size ?? file.size;
      await scan({ path: finalPath, name, mime, size });
      const key = newStorageKey();
      const thumbKey = image ? `${key}.thumb` : null;
      const sha256 = await sha256Of(finalPath);
      await store().put({ key, mime, size }, finalPath);
      if (image && thumbKey) await store().put({ key: thumbKey, mime: THUMBNAIL_MIME, size: 0 }, image.thumbnail);
      return {
        documentId: createDocumentId(),
        ownerId: actor.id,
        name,
        mime,
        size,
        width: image?.width ?? null,
        height: image?.height ?? null,
        storageKey: key,
        thumbnailKey: thumbKey,
        sha256,
      };
    } finally {
      await removeQuietly([image?.file, image?.thumbnail]);
    }
  };

  return {
    config,

    /** Boot: the storage the config chooses, checked (a folder outside public/, a private provider). */
    async start() {
      if (!config().enabled) return;
      storage = await createStorage(config(), { root: strapi.dirs.app.root, publicDir: strapi.dirs.static.public });
    },

    enabled: () => config().enabled && storage !== null,

    /** Adds a scanner: every upload waits for each one's verdict; 'infected' refuses it (422). */
    registerScanner(scanner: Scanner) {
      scanners.push(scanner);
      return () => {
        const i = scanners.indexOf(scanner);
        if (i >= 0) scanners.splice(i, 1);
      };
    },

    /**
     * Stages uploaded files for `actor`, all or none (one refused: those already stored are
     * removed), within the staged cap (attachment-staged-cap.ts). `files` in form order: a refused
     * file is named by its place in the form (`files.<i>`).
     */
    async upload(actor: Actor, files: UploadedFile[]): Promise<Attachment[]> {
      store();
      const cfg = config();
      if (files.length === 0) throw validationError('Invalid body: files Required', [{ path: ['files'], message: 'Required (multipart field `files`)' }]);
      if (files.length > cfg.maxPerMessage) {
        throw validationError(`At most ${cfg.maxPerMessage} files at once`, [{ path: ['files'], message: `at most ${cfg.maxPerMessage} files` }]);
      }
      await precheckStagedCap(knex(), actor.id, { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) }, cfg);
      const staged: repo.NewAttachment[] = [];
      try {
        // One at a time: two sharp decodes at once would double the memory an upload takes.
        for (const [i, file] of files.entries()) staged.push(await stageOne(actor, file, i));
        const now = new Date();
        const adding = { files: staged.length, bytes: staged.reduce((n, s) => n + s.size, 0) };
        await inTransaction(strapi, async (trx) => {
          await enforceStagedCap(trx, actor.id, adding, cfg, now);
          await repo.insertStaged(trx, staged, now);
        });
      } catch (error) {
        await store().remove(staged.flatMap((s) => [{ key: s.storageKey, mime: s.mime, size: s.size }, ...(s.thumbnailKey ? [{ key: s.thumbnailKey, mime: THUMBNAIL_MIME, size: 0 }] : [])]));
        throw error;
      }
      return repo.findStagedOf(knex(), actor.id, staged.map((s) => s.documentId)).then((rows) => {
        const byId = new Map(rows.map((r) => [r.documentId, r]));
        return staged.map((s) => present(byId.get(s.documentId)!));
      });
    },

    /**
     * In a send's transaction, once the message is written: each id must be the author's own
     * staged file (else a 400 at `attachments.<i>`, and the send rolls back), at most maxPerMessage;
     * the files move to the message. Only rows still staged move, so two sends racing for a file
     * cannot both have it: the second finds fewer rows than it asked for and rolls back.
     */
    async claim(trx: Db, input: { ownerId: number; messageId: number; ids: string[] | undefined; now: Date }) {
      const ids = input.ids ?? [];
      if (ids.length === 0) return;
      const at = (i: number, message: string) => validationError(`Invalid body: attachments.${i} ${message}`, [{ path: ['attachments', String(i)], message }]);
      if (!this.enabled()) throw at(0, 'attachments are not enabled');
      const max = config().maxPerMessage;
      if (ids.length > max) throw validationError(`Invalid body: at most ${max} attachments`, [{ path: ['attachments'], message: `at most ${max}` }]);
      const dup = ids.findIndex((id, i) => ids.indexOf(id) !== i);
      if (dup >= 0) throw at(dup, 'is listed twice');
      const own = new Set((await repo.findStagedOf(trx, input.ownerId, ids)).map((r) => r.documentId));
      const bad = ids.findIndex((id) => !own.has(id));
      if (bad >= 0) throw at(bad, 'is not a file you uploaded and have not sent yet');
      const moved = await repo.claimStaged(trx, { ownerId: input.ownerId, messageId: input.messageId, documentIds: ids, now: input.now });
      if (moved !== ids.length) throw at(0, 'was sent with another message meanwhile');
    },

    /** The attachments of these messages (internal ids), as shown; deleted messages' are left to the caller. */
    async forMessages(messageIds: number[]): Promise<Map<number, Attachment[]>> {
      const out = new Map<number, Attachment[]>();
      if (!this.enabled() || messageIds.length === 0) return out;
      for (const row of await repo.attachmentsOfMessages(knex(), messageIds)) {
        const list = out.get(row.messageId!) ?? [];
        list.push(present(row));
        out.set(row.messageId!, list);
      }
      return out;
    },

    /**
     * The bytes of an attachment (or its thumbnail) for `actor`: a stream from the folder, or a
     * signed URL. 404 unless they see its message (or it is their own staged file); a deleted
     * message's only to those who may view deleted messages.
     */
    async open(actor: Actor, documentId: string, variant: 'content' | 'thumbnail') {
      const s = store();
      const found = await repo.findViewableAttachment(knex(), actor.id, documentId);
      if (!found) throw new errors.NotFoundError('Attachment not found');
      if (found.messageDeleted && !(await getService('people').canViewDeleted(actor))) throw new errors.NotFoundError('Attachment not found');
      const a = found.attachment;
      if (variant === 'thumbnail' && !a.thumbnailKey) throw new errors.NotFoundError('Attachment not found');
      const file: StoredFile =
        variant === 'thumbnail' ? { key: a.thumbnailKey!, mime: THUMBNAIL_MIME, size: 0 } : { key: a.storageKey, mime: a.mime, size: a.size };
      return { attachment: a, file, storage: s };
    },

    /** The reported message's files, with the moderators' URL of each (admin API). */
    async forReports(reports: { documentId: string; messageId: number | null }[]) {
      const out = new Map<string, Attachment[]>();
      const byMessage = await this.forMessages(reports.map((r) => r.messageId).filter((id): id is number => id !== null));
      for (const r of reports) {
        const files = r.messageId === null ? [] : (byMessage.get(r.messageId) ?? []);
        out.set(r.documentId, files.map(({ thumbnailUrl: _t, ...a }) => ({ ...a, url: `/private-messages/reports/${r.documentId}/attachments/${a.id}` })));
      }
      return out;
    },

    /**
     * A file of a reported message, for a moderator (admin API, reports.manage): 404 unless the
     * file is on that report's message. Emits attachmentViewed for the audit trail.
     */
    async openForReport(adminId: number, reportDocumentId: string, attachmentDocumentId: string) {
      const s = store();
      const found = await repo.findReportedAttachment(knex(), reportDocumentId, attachmentDocumentId);
      if (!found) throw new errors.NotFoundError('Attachment not found');
      strapi.eventHub.emit(EVENTS.attachmentViewed, { adminId, reportId: reportDocumentId, attachmentId: attachmentDocumentId, ...found.message });
      const a = found.attachment;
      return { attachment: a, file: { key: a.storageKey, mime: a.mime, size: a.size } as StoredFile, storage: s, message: found.message };
    },

    /**
     * In the caller's transaction (the purge's, erasure's): deletes the rows of these messages'
     * attachments and answers them; pass them to removeFiles once it commits.
     */
    async deleteRowsOfMessages(trx: Db, messageIds: number[]) {
      const rows = await repo.attachmentsOfMessages(trx, messageIds);
      await repo.deleteRows(trx, rows.map((r) => r.id));
      return rows;
    },

    /** Deletes the bytes of attachments whose rows are gone (after deleteRowsOfMessages committed). */
    async removeFiles(rows: AttachmentRow[]) {
      if (rows.length > 0 && storage) await storage.remove(filesOf(rows));
    },

    /** Deletes the attachments of these messages, rows then bytes, in a transaction of its own. */
    async deleteForMessages(messageIds: number[]) {
      if (messageIds.length === 0) return 0;
      const rows = await inTransaction(strapi, (trx) => this.deleteRowsOfMessages(trx, messageIds));
      await this.removeFiles(rows);
      return rows.length;
    },

    /** Deletes a user's staged files, rows and bytes (erasure). */
    async deleteStagedOf(userId: number) {
      return deleteRowsAndFiles(await repo.listStagedOfOwner(knex(), userId), { stagedOnly: true });
    },

    /** Deletes staged files nobody sent within `stagedHours` (the purge cron). */
    async purgeStaged(now = new Date()) {
      const cutoff = new Date(now.getTime() - config().stagedHours * 3_600_000);
      let removed = 0;
      for (;;) {
        const rows = await repo.listStagedBefore(knex(), cutoff, 500);
        removed += await deleteRowsAndFiles(rows, { stagedOnly: true });
        if (rows.length < 500) return removed;
      }
    },
  };
};

export default attachmentsService;
