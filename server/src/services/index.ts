import settings from './settings';
import formats from './formats';
import people from './people';
import sendGate from './send-gate';
import messaging from './messaging';
import readState from './read-state';
import inbox from './inbox';
import tags from './tags';
import threadActions from './thread-actions';
import preferences from './preferences';
import blocks from './blocks';
import guards from './guards';
import moderation from './moderation';
import purge from './purge';
import outbox from './outbox';
import stream from './stream';
import fields from './fields';
import idempotency from './idempotency';
import contexts from './contexts';
import search from './search';
import contacts from './contacts';
import messageRequests from './message-requests';
import privacy from './privacy';
import audit from './audit';
import exporter from './export';
import emailTexts from './email-texts';
import digest from './digest';
import push from './push';
import attachments from './attachments';
import databaseUpkeep from './database-upkeep';

export default {
  settings,
  formats,
  people,
  'send-gate': sendGate,
  messaging,
  'read-state': readState,
  inbox,
  tags,
  'thread-actions': threadActions,
  preferences,
  blocks,
  guards,
  moderation,
  purge,
  outbox,
  stream,
  fields,
  idempotency,
  contexts,
  search,
  contacts,
  'message-requests': messageRequests,
  privacy,
  audit,
  export: exporter,
  'email-texts': emailTexts,
  digest,
  push,
  attachments,
  'database-upkeep': databaseUpkeep,
};
