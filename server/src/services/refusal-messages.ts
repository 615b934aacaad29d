import type { RefusalCode as ContractRefusalCode } from '../contract/errors';
import type { GUARD_FAILED } from './guards';

/*
 * What each refusal of the send gate says to the sender (services/send-gate.ts decides; the codes are
 * the contract's, contract/errors.ts: a code missing here, or one the contract does not list, does
 * not compile). Message requests' own refusals are among them; a failing guard's is services/guards.ts'.
 */

export const REQUEST_MESSAGES = {
  recipient_contacts_only: 'This user only receives new messages from their contacts',
  recipient_not_accepting: 'This user does not accept new conversations',
  request_pending: 'You already sent this user a message request; wait for an answer',
} as const satisfies Partial<Record<ContractRefusalCode, string>>;
export type RequestRefusalCode = keyof typeof REQUEST_MESSAGES;

/** Every per-recipient refusal of the send gate, by code. */
export const REFUSAL_MESSAGES = {
  role_not_allowed: 'Your role may not send private messages',
  sender_suspended: 'A moderator suspended your private messages',
  no_permission: 'You do not have permission to send this message',
  sender_disabled: 'You turned private messages off',
  recipient_disabled: 'This user does not receive private messages',
  recipient_cannot_read: 'This user cannot read private messages',
  blocked: 'This user does not accept messages from you',
  self: 'You cannot send a message to yourself',
  unknown_recipient: 'This recipient does not exist',
  role_send_not_allowed: 'You may not write to a whole role',
  // Who may message me, and message requests (services/message-requests).
  recipient_contacts_only: REQUEST_MESSAGES.recipient_contacts_only,
  recipient_not_accepting: REQUEST_MESSAGES.recipient_not_accepting,
  request_pending: REQUEST_MESSAGES.request_pending,
} as const satisfies Record<Exclude<ContractRefusalCode, typeof GUARD_FAILED>, string>;
/** The send gate's own codes: every code of the contract but a failing guard's. */
export type RefusalCode = keyof typeof REFUSAL_MESSAGES;
