import thread from './thread';
import message from './message';
import membership from './membership';
import tag from './tag';
import block from './block';
import preference from './preference';
import report from './report';

export default { thread, message, membership, tag, block, preference, report };
