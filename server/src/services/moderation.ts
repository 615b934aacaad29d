import type { Core } from '@strapi/strapi';
import { inTransaction } from '../utils/transaction';
import * as messagesRepo from '../repositories/messages';
import * as reportsRepo from '../repositories/reports';
import * as suspensionsRepo from '../repositories/suspensions';
import * as outboxRepo from '../repositories/outbox';
import * as threadsRepo from '../repositories/threads';
import { createAdminsRepository } from '../repositories/admins';
import { conflict, notFound, validationError } from '../utils/errors';
import { getService } from '../utils/get-service';
import type { Actor } from './people';
import { EVENTS } from '../events';

/** Messages shown on each side of a reported one. */
const CONTEXT_SIZE = 3;

/** Reports of messages, and what moderators decide about them. */
const moderationService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  const adminsRepo = createAdminsRepository(strapi);

  /** Reports with their message in the context of its thread, the reporter and who resolved them. */
  const present = async (reports: reportsRepo.ReportRow[]) => {
    const messages = await messagesRepo.findMessagesByIds(knex(), reports.map((r) => r.messageId).filter((id): id is number => id !== null));
    const byId = new Map(messages.map((m) => [m.id, m]));
    const neighbourhoods = await messagesRepo.messageNeighbourhoods(knex(), messages, CONTEXT_SIZE);
    const contexts = reports.map((r) => (r.messageId !== null && byId.has(r.messageId) ? neighbourhoods.get(r.messageId)! : []));
    const contextMessages = await messagesRepo.findMessagesByIds(knex(), [...new Set(contexts.flat())]);
    const contextById = new Map(contextMessages.map((m) => [m.id, m]));
    const threadById = await threadsRepo.findThreadSubjects(knex(), messages.map((m) => m.threadId));
    const userIds = [
      ...reports.map((r) => r.reporterId).filter((id): id is number => id !== null),
      ...contextMessages.map((m) => m.authorId).filter((id): id is number => id !== null),
    ];
    const [users, admins, files] = await Promise.all([
      getService('people').summaries(userIds),
      adminsRepo.summaries(reports.map((r) => r.resolvedById).filter((id): id is number => id !== null)),
      getService('attachments').forReports(reports),
    ]);
    const fields = getService('fields');
    const asMessage = (id: number) => {
      const m = contextById.get(id)!;
      return {
        id: m.documentId,
        author: m.authorId === null ? null : users.get(m.authorId),
        body: m.body,
        deleted: Boolean(m.deletedAt),
        // The site's custom fields on it, as declared (services/fields).
        fields: fields.presentMessage(m.fields),
        createdAt: m.createdAt,
      };
    };
    return reports.map((r, i) => {
      const m = r.messageId !== null ? byId.get(r.messageId) : undefined;
      return {
        id: r.documentId,
        status: r.status,
        reason: r.reason,
        createdAt: r.createdAt,
        reporter: r.reporterId === null ? null : users.get(r.reporterId),
        // The reported message's files, each opened through the admin API (recorded: attachmentViewed).
        message: m ? { ...asMessage(m.id), attachments: files.get(r.documentId) ?? [] } : null,
        thread:
          m && threadById.has(m.threadId)
            ? { id: threadById.get(m.threadId)!.documentId, subject: threadById.get(m.threadId)!.subject, fields: fields.presentThread(threadById.get(m.threadId)!.fields) }
            : null,
        context: contexts[i].map((id) => ({ ...asMessage(id), reported: id === r.messageId })),
        resolution: r.resolution,
        note: r.note,
        resolvedAt: r.resolvedAt,
        resolvedBy: r.resolvedById === null ? null : admins.get(r.resolvedById) ?? null,
      };
    });
  };

  return {
    async report(actor: Actor, messageDocumentId: string, reason: string) {
      const visible = await messagesRepo.findVisibleMessage(knex(), actor.id, messageDocumentId);
      if (!visible) throw notFound('Message');
      const { message } = visible;
      if (message.authorId === actor.id) {
        throw validationError('You cannot report your own message', [{ path: ['id'], message: 'is your own message' }]);
      }
      const now = new Date();
      const report = await inTransaction(strapi, async (trx) => {
        const created = await reportsRepo.insertReport(trx, { messageId: message.id, reporterId: actor.id, reason, now });
        if (created) await outboxRepo.enqueueJob(trx, { event: 'report', reportId: created.id, messageId: message.id, threadId: message.threadId, now });
        return created;
      });
      if (!report) throw conflict('You already reported this message');
      getService('outbox').kick();
      const thread = await threadsRepo.findThreadById(knex(), message.threadId);
      strapi.eventHub.emit(EVENTS.messageReported, {
        reportId: report.documentId,
        messageId: message.documentId,
        threadId: thread?.documentId,
        reporterId: actor.id,
        reason,
      });
      return { id: report.documentId, messageId: message.documentId, reason: report.reason, status: report.status, createdAt: report.createdAt };
    },

    async list(query: { status?: 'open' | 'resolved'; page?: number; pageSize?: number }) {
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? 20;
      const { rows, total } = await reportsRepo.listReports(knex(), { status: query.status, page, pageSize });
      return {
        data: await present(rows),
        meta: { pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) } },
      };
    },

    /**
     * Resolves an open report: dismiss it, soft-delete the message, or suspend the sender's
     * messaging. Who resolved it, when, how and why is kept. A suspension is a row of its own,
     * never the sender's preference, which the sender could simply turn back on.
     */
    async resolve(documentId: string, input: { action: 'dismiss' | 'deleteMessage' | 'disableSender'; note?: string }, adminId: number) {
      const report = await reportsRepo.findReportByDocumentId(knex(), documentId);
      if (!report) throw notFound('Report');
      if (report.status === 'resolved') throw conflict('This report is already resolved');
      const message = report.messageId !== null ? (await messagesRepo.findMessagesByIds(knex(), [report.messageId]))[0] : undefined;
      const now = new Date();
      let deleted = false;
      let suspended = false;
      await inTransaction(strapi, async (trx) => {
        if (!(await reportsRepo.resolveReport(trx, report.id, { resolution: input.action, note: input.note ?? null, resolvedById: adminId, now }))) {
          throw conflict('This report is already resolved');
        }
        // Through messaging, the only writer of messages, in this report's transaction.
        if (input.action === 'deleteMessage' && message) deleted = await getService('messaging').deleteMessageIn(trx, message, now);
        if (input.action === 'disableSender' && message?.authorId) {
          // Already suspended (by another report): the first suspension stays as it was.
          suspended = await suspensionsRepo.insertSuspension(trx, {
            userId: message.authorId,
            suspendedById: adminId,
            reportId: report.id,
            note: input.note ?? null,
            now,
          });
        }
      });
      if (suspended && message?.authorId) {
        strapi.eventHub.emit(EVENTS.userSuspended, { userId: message.authorId, reportId: documentId, byModerator: adminId });
      }
      if (deleted && message) await getService('messaging').announceDeleted(message, { moderatorId: adminId });
      const [presented] = await present([(await reportsRepo.findReportByDocumentId(knex(), documentId))!]);
      return presented;
    },

    /** Suspended senders, newest suspension first: who, since when, by whom, from which report and why. */
    async listSuspensions(query: { page?: number; pageSize?: number }) {
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? 20;
      const { rows, total } = await suspensionsRepo.listSuspensions(knex(), { page, pageSize });
      const [users, admins] = await Promise.all([
        getService('people').summaries(rows.map((r) => r.userId)),
        adminsRepo.summaries(rows.map((r) => r.suspendedById).filter((id): id is number => id !== null)),
      ]);
      return {
        data: rows.map((r) => ({
          user: users.get(r.userId)!,
          suspendedAt: r.suspendedAt,
          suspendedBy: r.suspendedById === null ? null : admins.get(r.suspendedById) ?? null,
          reportId: r.reportId,
          note: r.note,
        })),
        meta: { pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) } },
      };
    },

    /** Lifts a user's suspension (404 when they are not suspended): they may send again. */
    async liftSuspension(userId: number, adminId: number) {
      if (!(await suspensionsRepo.deleteSuspension(knex(), userId))) throw notFound('Suspension');
      strapi.eventHub.emit(EVENTS.userUnsuspended, { userId, byModerator: adminId });
    },
  };
};

export default moderationService;
