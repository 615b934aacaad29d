import thread from './thread';
import message from './message';
import membership from './membership';
import tag from './tag';
import block from './block';
import preference from './preference';
import report from './report';
import outboxEntry from './outbox-entry';
import suspension from './suspension';
import streamTicket from './stream-ticket';
import streamEvent from './stream-event';
import importMap from './import-map';
import idempotencyKey from './idempotency-key';
import contextAsk from './context-ask';
import contact from './contact';
import auditEntry from './audit-entry';
import pushSubscription from './push-subscription';
import attachment from './attachment';

export default {
  thread,
  message,
  membership,
  tag,
  block,
  preference,
  report,
  'outbox-entry': outboxEntry,
  suspension,
  'stream-ticket': streamTicket,
  'stream-event': streamEvent,
  'import-map': importMap,
  'idempotency-key': idempotencyKey,
  'context-ask': contextAsk,
  contact,
  'audit-entry': auditEntry,
  'push-subscription': pushSubscription,
  attachment,
};
