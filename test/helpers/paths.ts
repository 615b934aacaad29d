import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PLAYGROUND = path.join(ROOT, 'playground');
export const PLAYGROUND_DIST = path.join(PLAYGROUND, 'dist');
export const TMP = path.join(ROOT, 'test', '.tmp');
