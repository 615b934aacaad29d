import threads from './threads';
import search from './search';
import messages from './messages';
import deletedMessage from './deleted-message';
import unreadCount from './unread-count';
import recipients from './recipients';
import tags from './tags';
import threadActions from './thread-actions';
import roleRecipients from './role-recipients';
import reports from './reports';
import blocks from './blocks';
import preferences from './preferences';
import stream from './stream';
import adminSettings from './admin-settings';
import adminReports from './admin-reports';
import adminSuspensions from './admin-suspensions';
import messageRequests from './message-requests';
import adminRequests from './admin-requests';
import exporter from './export';
import adminPrivacy from './admin-privacy';
import adminAudit from './admin-audit';
import adminEmailTexts from './admin-email-texts';
import push from './push';
import attachments from './attachments';

export default {
  threads,
  search,
  messages,
  'deleted-message': deletedMessage,
  'unread-count': unreadCount,
  recipients,
  tags,
  'thread-actions': threadActions,
  'role-recipients': roleRecipients,
  reports,
  blocks,
  preferences,
  stream,
  'admin-settings': adminSettings,
  'admin-reports': adminReports,
  'admin-suspensions': adminSuspensions,
  'message-requests': messageRequests,
  'admin-requests': adminRequests,
  export: exporter,
  'admin-privacy': adminPrivacy,
  'admin-audit': adminAudit,
  'admin-email-texts': adminEmailTexts,
  push,
  attachments,
};
