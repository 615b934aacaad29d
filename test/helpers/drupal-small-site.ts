import { phpSerialize, type DrupalData } from './drupal-generator';
import { createDrupalSource } from './drupal-source';

/*
 * A small privatemsg 7.x-2.x site on MariaDB, written out thread by thread, for the importer's
 * tests that need a few known users and messages rather than the generator's edge cases. Users
 * are uid 2, 3, … named after `names` with a suffix unique to the test run; every body carries
 * `[m<mid>]`. Replying marks the thread read for its author, and each recipient of a message gets
 * the thread tagged Inbox, as privatemsg does.
 */
let sequence = 0;

export type SmallThread = { author: number; to: number[]; replies?: number[] };

export const createSmallSite = async (names: string[], threads: SmallThread[], edit: (data: DrupalData) => void = () => {}) => {
  sequence += 1;
  const suffix = `${process.pid}${sequence}`;
  const users = names.map((name, i) => ({ uid: i + 2, name: `${name}${suffix}`, mail: `${name}${suffix}@drupal.example` }));
  const data: DrupalData = {
    users,
    roles: [],
    usersRoles: [],
    messages: [],
    rows: [],
    tags: [{ tag_id: 1, tag: 'Inbox', hidden: 1 }],
    tagIndex: [],
    blocks: [],
    disabled: [],
    settings: [],
    emailNotify: [],
    variables: { privatemsg_filter_inbox_tag: phpSerialize('1') },
    unmatchedUids: [],
  };
  let mid = 0;
  const tagged = new Set<string>();
  for (const t of threads) {
    const thread = mid + 1;
    for (const author of [t.author, ...(t.replies ?? [])]) {
      mid += 1;
      // Replying, one has read the thread (privatemsg shows it to reply).
      for (const r of data.rows) if (r.thread_id === thread && r.recipient === author) r.is_new = 0;
      data.messages.push({ mid, author, subject: `Private ${thread}`, body: `Secret of ${author} [m${mid}]`, format: 'plain_text', timestamp: 1_600_000_000 + mid, has_tokens: 0 });
      for (const uid of [t.author, ...t.to]) {
        data.rows.push({ mid, thread_id: thread, recipient: uid, is_new: uid === author ? 0 : 1, deleted: 0, type: 'user' });
        if (uid !== author && !tagged.has(`${uid}:${thread}`)) {
          tagged.add(`${uid}:${thread}`);
          data.tagIndex.push({ tag_id: 1, uid, thread_id: thread });
        }
      }
    }
  }
  edit(data);
  const source = await createDrupalSource('d7-2', data, `drupal_small_${suffix}`);
  return { data, source, user: (uid: number) => users.find((u) => u.uid === uid)! };
};
