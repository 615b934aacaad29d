import threads from './threads';
import messages from './messages';
import deletedMessage from './deleted-message';
import unreadCount from './unread-count';
import recipients from './recipients';

export default {
  threads,
  messages,
  'deleted-message': deletedMessage,
  'unread-count': unreadCount,
  recipients,
};
