import type { Core } from '@strapi/strapi';
import type { RecipientRef, Refusal } from '../utils/errors';
import { forbidden } from '../utils/errors';
import { getService } from '../utils/get-service';

export type GateInput = {
  authorId: number;
  recipients: RecipientRef[];
  /** Set for replies. */
  context?: { threadId?: string };
  bypassRules?: boolean;
};

export type GateResult = { allowed: number[]; refused: Refusal[] };

const MESSAGES: Record<string, string> = {
  self: 'You cannot send a message to yourself',
  unknown_recipient: 'This user does not exist',
  recipient_disabled: 'This user cannot receive messages',
  role_send_not_allowed: 'You may not write to a role',
};

const refusal = (recipient: RecipientRef, code: keyof typeof MESSAGES): Refusal => ({
  recipient,
  code,
  message: MESSAGES[code],
});

/**
 * The one place that decides who may write to whom. HTTP sends, the programmatic API and
 * `can-message` all ask `evaluate`; every refusal carries a machine-readable code.
 */
const sendGateService = ({ strapi: _strapi }: { strapi: Core.Strapi }) => ({
  async evaluate(input: GateInput): Promise<GateResult> {
    const refused: Refusal[] = [];
    const userIds: number[] = [];
    const seen = new Set<number>();

    for (const r of input.recipients) {
      if (r.type === 'role') {
        refused.push(refusal(r, 'role_send_not_allowed'));
      } else if (!seen.has(r.id)) {
        seen.add(r.id);
        userIds.push(r.id);
      }
    }

    const users = await getService('people').findUsers(userIds);
    const allowed: number[] = [];
    for (const id of userIds) {
      const ref: RecipientRef = { type: 'user', id };
      const user = users.get(id);
      if (id === input.authorId) refused.push(refusal(ref, 'self'));
      else if (!user) refused.push(refusal(ref, 'unknown_recipient'));
      else if (user.blocked && !input.bypassRules) refused.push(refusal(ref, 'recipient_disabled'));
      else allowed.push(id);
    }
    return { allowed, refused };
  },

  /** Limits on a whole send, refused before any recipient is looked at. */
  async assertWithinLimits(recipientCount: number) {
    const { maxRecipients } = await getService('settings').get();
    if (recipientCount > maxRecipients) {
      throw forbidden(`A message can have at most ${maxRecipients} recipients`, {
        code: 'max_recipients',
        limit: maxRecipients,
        refused: [],
      });
    }
  },
});

export default sendGateService;
