import type { AttachmentsConfig } from '../config/attachments';
import { stagedTotalsOf } from '../repositories/attachments';
import type { Db } from '../repositories/db';
import { lockUserRow } from '../repositories/preferences';
import { conflict } from '../utils/errors';

/*
 * What one user may have uploaded and not sent yet: `maxStagedFiles` files and `maxStagedBytes`
 * bytes (as stored). Staged files take disk until they are sent or `stagedHours` pass, so without a
 * cap one account could fill the storage by uploading and never sending. The cap is checked twice:
 * before any byte is looked at (from the sizes the parser saw), so a user already at it costs no
 * decoding or scanning; then, decisively, in the transaction that records the files, under the
 * user's row lock (the lock every send takes first), so concurrent uploads take turns and cannot
 * pass it together.
 */

type Adding = { files: number; bytes: number };

/** The 409 `staged_limit`: what the caller has staged, and the caps. */
const stagedLimit = (staged: Adding, config: AttachmentsConfig) =>
  conflict(
    `Too many files uploaded and not sent: at most ${config.maxStagedFiles} files and ${config.maxStagedBytes} bytes may wait to be sent (unsent files are deleted after ${config.stagedHours} hours)`,
    { code: 'staged_limit', staged: { files: staged.files, bytes: staged.bytes, maxFiles: config.maxStagedFiles, maxBytes: config.maxStagedBytes } }
  );

const check = async (db: Db, ownerId: number, adding: Adding, config: AttachmentsConfig) => {
  const staged = await stagedTotalsOf(db, ownerId);
  if (staged.files + adding.files > config.maxStagedFiles || staged.bytes + adding.bytes > config.maxStagedBytes) {
    throw stagedLimit(staged, config);
  }
};

/** Before the files are processed: a cheap refusal for a user already at the cap (not decisive). */
export const precheckStagedCap = (db: Db, ownerId: number, adding: Adding, config: AttachmentsConfig) => check(db, ownerId, adding, config);

/** In the transaction that inserts the staged rows: takes the user's row lock, then checks. */
export const enforceStagedCap = async (trx: Db, ownerId: number, adding: Adding, config: AttachmentsConfig, now: Date) => {
  await lockUserRow(trx, ownerId, now);
  await check(trx, ownerId, adding, config);
};
