import thread from './thread';
import message from './message';
import membership from './membership';
import tag from './tag';
import block from './block';

export default { thread, message, membership, tag, block };
