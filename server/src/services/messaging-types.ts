/* The messaging service's inputs and signals (services/messaging.ts). */
import type { z } from 'zod';
import type { RecipientRef } from '../utils/errors';
import type { Db } from '../repositories/db';
import type { DocumentRef } from '../repositories/contexts';
import type { newThreadSchema, replySchema } from '../validation';

/** An ask found the asker's thread about the document written meanwhile: the ask becomes a reply there. */
export class AskedMeanwhile extends Error {
  constructor(readonly threadDocumentId: string) {
    super('The asker has a thread about this document');
  }
}

export type UserInput = number | { id: number; role?: { id: number } | null };
export type SendOptions = {
  bypassRules?: boolean;
  /** Runs inside the send's transaction once the message is written (an idempotency key's record). */
  recordSend?: (trx: Db, written: { threadId: number; messageId: number }) => Promise<void>;
  /** The thread is an ask about this document (services/contexts.ts resolved its owner). */
  context?: DocumentRef;
};

export type SendInput = Omit<z.input<typeof newThreadSchema>, 'recipients'> & {
  author: UserInput;
  /** `{type, id}` references; bare numbers are user ids. */
  recipients: (RecipientRef | number)[];
};
export type ReplyInput = z.input<typeof replySchema> & { author: UserInput; threadId: string };
/** A new thread's input once validated (newThreadSchema), and a reply's. */
export type NewThreadData = z.infer<typeof newThreadSchema>;
export type ReplyData = z.infer<typeof replySchema>;
