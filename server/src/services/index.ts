import settings from './settings';
import formats from './formats';
import people from './people';
import sendGate from './send-gate';
import messaging from './messaging';
import readState from './read-state';
import inbox from './inbox';

export default {
  settings,
  formats,
  people,
  'send-gate': sendGate,
  messaging,
  'read-state': readState,
  inbox,
};
