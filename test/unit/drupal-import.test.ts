import { defaultConfig } from '../../server/src/config/defaults';
import { autoParagraphs, mapFormat, renderImportedBody } from '../../server/src/import/formats';
import { planThread, type MapContext } from '../../server/src/import/mapper';
import { readPhpValue, unserializePhp } from '../../server/src/import/php-serialized';
import type { IndexRow, SourceMessage } from '../../server/src/import/reader';
import type { LossyCounts } from '../../server/src/import/report';
import { mergeRerunMembership } from '../../server/src/import/rerun';
import { mapSiteSettings } from '../../server/src/import/site-settings';
import { matchUsers, newlyMatchedUsers, sharedTargets, UnvouchedUsernames, type MatchingPolicy, type StrapiUser } from '../../server/src/import/users';
import { createBodyRenderer, cutBody, removedMarkup } from '../../server/src/import/bodies';
import { isPhpFormat, removePhpCode } from '../../server/src/import/php-code';
import { newReport } from '../../server/src/import/report';
import { planTags } from '../../server/src/import/tags-plan';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('unserializePhp (Drupal `variable` values)', () => {
  it('reads scalars, byte-length strings and arrays (lists and maps)', () => {
    expect(unserializePhp('i:45;')).toBe(45);
    expect(unserializePhp('b:1;')).toBe(true);
    expect(unserializePhp('d:1.5;')).toBe(1.5);
    expect(unserializePhp('N;')).toBeNull();
    expect(unserializePhp('s:5:"Köln";')).toBe('Köln'); // 5 bytes, 4 characters
    expect(unserializePhp('s:4:"a";b";')).toBe('a";b'); // quotes inside are counted, not parsed
    expect(unserializePhp('a:2:{i:0;s:1:"x";i:1;i:2;}')).toEqual(['x', 2]);
    expect(unserializePhp('a:2:{s:6:"action";i:0;s:7:"enabled";b:1;}')).toEqual({ action: 0, enabled: true });
    expect(unserializePhp(Buffer.from('a:1:{i:3;a:0:{}}'))).toEqual({ 3: [] });
  });

  it('refuses lengths and counts the bytes cannot hold (a negative length used to loop until out of memory)', () => {
    // 38 bytes: the string's length of -13 sent the reader back to the second entry, forever.
    const looping = 'a:999999999:{i:0;s:0:"";i:1;s:-13:"";}';
    expect(Buffer.byteLength(looping)).toBe(38);
    expect(() => unserializePhp(looping)).toThrow(/beyond the value's end/);
    expect(() => unserializePhp('a:2:{i:0;s:0:"";i:1;s:-13:"";}')).toThrow(/bad length "-13"/);
    expect(readPhpValue(looping, 'fallback')).toBe('fallback');
    expect(() => unserializePhp('a:999999999:{i:0;N;}')).toThrow(/beyond the value's end/);
    expect(() => unserializePhp('s:1.5:"ab";')).toThrow(/bad length/);
    expect(() => unserializePhp('s:99:"ab";')).toThrow(/beyond/);
    expect(() => unserializePhp('i:1e400;')).toThrow(/bad number/);
    expect(() => unserializePhp('b:2;')).toThrow(/bad boolean/);
    expect(() => unserializePhp('a:1:{i:0;'.repeat(40) + 'N;' + '}'.repeat(40))).toThrow(/too deep/);
    expect(unserializePhp('d:-1.5e3;')).toBe(-1500);
  });

  it('refuses objects and broken input; readPhpValue falls back', () => {
    expect(() => unserializePhp('O:8:"stdClass":0:{}')).toThrow();
    expect(() => unserializePhp('s:10:"short";')).toThrow();
    expect(() => unserializePhp('i:1;junk')).toThrow();
    expect(readPhpValue('O:1:"x":0:{}', 'fallback')).toBe('fallback');
    expect(readPhpValue(null, 3)).toBe(3);
  });
});

describe('text formats', () => {
  it('maps D7 names and D6 numbers to ours, unknown ones to basic_html (reported)', () => {
    expect(mapFormat('filtered_html', null)).toEqual({ format: 'basic_html', known: true });
    expect(mapFormat('full_html', null)).toEqual({ format: 'full_html', known: true });
    expect(mapFormat(null, null)).toEqual({ format: 'plain_text', known: true });
    expect(mapFormat('php_code', null)).toEqual({ format: 'basic_html', known: false });
    expect(mapFormat(3, 1)).toEqual({ format: 'full_html', known: true });
    expect(mapFormat(0, 1)).toEqual({ format: 'basic_html', known: true }); // the site default
    expect(mapFormat(2, 1)).toEqual({ format: 'basic_html', known: false }); // D6 PHP code
  });

  it('re-sanitizes with our rules and keeps Drupal line breaks', () => {
    expect(autoParagraphs('one\ntwo\n\nthree')).toBe('<p>one<br>two</p><p>three</p>');
    expect(autoParagraphs('<p>kept</p>')).toBe('<p>kept</p>');
    const { body, excerpt } = renderImportedBody(defaultConfig, 'Hi <a href="javascript:x()" onclick="y()">there</a><script>z()</script>', 'basic_html');
    expect(body).toBe('<p>Hi <a rel="nofollow noopener">there</a></p>');
    expect(excerpt).toBe('Hi there');
    expect(renderImportedBody(defaultConfig, '<b>x</b>', 'plain_text').body).toBe('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe('planThread (privatemsg rows to memberships)', () => {
  const msg = (mid: number, author: number): SourceMessage => ({ mid, author, subject: `S${mid}`, body: `b${mid}`, format: 'plain_text', timestamp: 1_500_000_000 + mid, hasTokens: false });
  const row = (mid: number, recipient: number, isNew: boolean, deleted = 0, type = 'user'): IndexRow => ({ mid, threadId: 1, recipient, isNew, deleted, type });
  const ctx = (over: Partial<MapContext> = {}): MapContext => ({
    userOf: (uid) => (uid === 9 ? undefined : uid + 100),
    drupalUserExists: (uid) => uid > 0 && uid < 20,
    unmatched: 'null',
    inboxTagId: null,
    render: (m) => ({ body: m.body, format: 'plain_text', excerpt: m.body, knownFormat: true }),
    onUnmatched: () => {},
    onRole: () => {},
    ...over,
  });

  it('keeps exact unread counts, revived threads and removals', () => {
    const lossy: LossyCounts = {};
    const plan = planThread(
      1,
      [msg(1, 2), msg(2, 3), msg(3, 2), msg(4, 2)],
      [
        row(1, 2, false), row(2, 2, false), row(3, 2, false), row(4, 2, false),
        // 3 removed the thread after message 2; message 3 revived it; 4 is unread, 3 read: contiguous.
        row(1, 3, false, 100), row(2, 3, false, 100), row(3, 3, false), row(4, 3, true),
        // 4 removed everything.
        row(1, 4, true, 200), row(3, 4, false, 250),
        // 5: unread, read, unread: not contiguous.
        row(1, 5, true), row(2, 5, false), row(3, 5, true),
      ],
      [],
      ctx(),
      lossy
    )!;
    const member = (uid: number) => plan.members.find((m) => m.userId === uid + 100)!;
    expect(member(3)).toMatchObject({ visibleAfterMid: 2, unreadCount: 1, firstUnreadMid: 4, removedAt: null, inInbox: true });
    expect(member(4)).toMatchObject({ removedAt: new Date(250_000), inInbox: false, unreadCount: 0, visibleAfterMid: 4 });
    expect(member(5)).toMatchObject({ unreadCount: 2, firstUnreadMid: 1, visibleAfterMid: 0 });
    expect(lossy.unreadNotContiguous).toBe(1);
    expect(plan.starterId).toBe(102);
    expect(plan.subject).toBe('S1');
  });

  it('a role on the first message makes a broadcast: hidden members, audiences from who had rows', () => {
    const lossy: LossyCounts = {};
    const roles: number[] = [];
    const plan = planThread(
      1,
      [msg(1, 2), msg(2, 3), msg(3, 2)],
      [
        row(1, 2, false), row(1, 7, false, 0, 'role'), row(1, 3, true, 0, 'hidden'), row(1, 4, true, 0, 'hidden'),
        // 3 (hidden) replies to the starter only.
        row(2, 3, false, 0, 'hidden'), row(2, 2, true),
        row(3, 2, false), row(3, 3, true, 0, 'hidden'), row(3, 4, true, 0, 'hidden'),
        // uid 9 has no Strapi account, uid 30 no Drupal account.
        row(1, 9, true), row(1, 30, true),
      ],
      [],
      ctx({ onRole: (rid) => roles.push(rid) }),
      lossy
    )!;
    expect(roles).toEqual([7]);
    expect(plan.members.filter((m) => m.hidden).map((m) => m.userId).sort()).toEqual([103, 104]);
    expect(plan.messages.map((m) => [m.mid, m.audience, m.audienceUserId])).toEqual([[1, null, null], [2, 'direct', 102], [3, null, null]]);
    expect(lossy).toMatchObject({ roleRows: 1, unmatchedRecipientRows: 1, orphanRecipientRows: 1 });
  });

  it('a message privatemsg never delivered to a member stays undelivered; one with no author is shown (reported)', () => {
    const lossy: LossyCounts = {};
    const plan = planThread(
      1,
      [msg(1, 2), msg(2, 3), msg(3, 0), msg(4, 2)],
      [
        row(1, 2, false), row(2, 2, false), row(3, 2, false), row(4, 2, false),
        // 4 had blocked 3: no row for message 2 (pm_block_user), nor for 3 (no author).
        row(1, 4, false), row(4, 4, true),
        row(1, 3, true), row(2, 3, false), row(3, 3, true), row(4, 3, true),
      ],
      [],
      ctx(),
      lossy
    )!;
    const member = (uid: number) => plan.members.find((m) => m.userId === uid + 100)!;
    expect(member(4)).toMatchObject({ undeliveredMids: [2], unreadCount: 1 });
    expect(member(3).undeliveredMids).toEqual([]);
    expect(lossy.shownUndelivered).toBe(1);
  });

  it('unmatched authors: null author by default, skipped with --unmatched skip', () => {
    const rows = [row(1, 2, false), row(2, 2, true), row(2, 9, false)];
    expect(planThread(1, [msg(1, 2), msg(2, 9)], rows, [], ctx(), {})!.messages.map((m) => m.authorId)).toEqual([102, null]);
    const lossy: LossyCounts = {};
    expect(planThread(1, [msg(1, 2), msg(2, 9)], rows, [], ctx({ unmatched: 'skip' }), lossy)!.messages.map((m) => m.mid)).toEqual([1]);
    expect(lossy.skippedMessages).toBe(1);
  });
});

describe('mapSiteSettings', () => {
  it('maps flush, limits, block rules and the notification default', () => {
    const lossy: LossyCounts = {};
    const vars = new Map<string, any>([
      ['privatemsg_flush_enabled', 1],
      ['privatemsg_flush_days', '45'],
      ['privatemsg_limits_send_enabled', true],
      ['privatemsg_limits_send_amount', 10],
      ['privatemsg_limits_send_timeframe', 3600],
      ['pm_block_user_actions', [{ author: 2, recipient: 4, action: 0, enabled: 1 }, { author: 2, recipient: 3, action: 1, enabled: 1 }]],
    ]);
    expect(mapSiteSettings(vars, 8, (rid) => (rid === 4 ? 40 : undefined), lossy)).toEqual({
      purgeDeletedAfterDays: 45,
      rateLimit: { max: 10, windowSeconds: 3600 },
      unblockableRoles: [40],
      emailNotificationsDefault: 'firstUnread',
    });
    expect(lossy).toEqual({ settingsApproximated: 1, blockRulesDropped: 1 });
    expect(mapSiteSettings(new Map([['privatemsg_flush_days', 9]]), null, () => undefined, {})).toEqual({ purgeDeletedAfterDays: 0 });
  });
});

describe('matchUsers (who may receive a Drupal user\'s history)', () => {
  const drupal = [
    { uid: 2, name: 'ann', mail: 'Ann@example.com' },
    { uid: 3, name: 'bob', mail: 'bob@example.com' },
    { uid: 4, name: 'cat', mail: 'cat@example.com' },
    { uid: 5, name: 'dan', mail: 'dan@example.com' },
  ] as any[];
  const started = new Date('2026-06-01T00:00:00Z');
  const before = new Date('2026-05-01T00:00:00Z');
  const after = new Date('2026-07-01T00:00:00Z');
  const user = (over: Partial<StrapiUser> & { id: number; username: string }): StrapiUser => ({
    email: `${over.username}@example.com`,
    confirmed: true,
    blocked: false,
    createdAt: before,
    createdByAdmin: false,
    ...over,
  });
  const policy = (over: Partial<MatchingPolicy> = {}): MatchingPolicy => ({
    matching: 'email',
    confirmedEmailsSince: null,
    importStartedAt: started,
    ...over,
  });
  const mapFile = (map: Record<string, number | null>) => {
    const file = path.join(os.tmpdir(), `pm-map-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(map));
    return file;
  };

  it('by email: never a blocked account, nor an unconfirmed one (on any site) without --trust-unconfirmed', () => {
    const strapi = [user({ id: 10, username: 'ann' }), user({ id: 11, username: 'bob', confirmed: false }), user({ id: 12, username: 'cat', blocked: true })];
    const { matched, untrusted } = matchUsers(drupal, strapi, policy());
    expect([...matched]).toEqual([[2, 10]]);
    expect(untrusted).toEqual([{ uid: 3, name: 'bob', userId: 11, why: 'unconfirmed' }]);
    expect([...matchUsers(drupal, strapi, policy({ trustUnconfirmed: true })).matched]).toEqual([[2, 10], [3, 11]]);
  });

  it('by email on a site that does not confirm emails: an account registered after the import started is not matched', () => {
    // Registering confirms the account there: the attacker registers a Drupal user's address before a rerun.
    const strapi = [user({ id: 10, username: 'ann' }), user({ id: 11, username: 'bob', createdAt: after })];
    const { matched, untrusted } = matchUsers(drupal, strapi, policy());
    expect([...matched]).toEqual([[2, 10]]);
    expect(untrusted).toEqual([{ uid: 3, name: 'bob', userId: 11, why: 'createdAfterImport' }]);
    expect([...matchUsers(drupal, strapi, policy({ trustUnconfirmed: true })).matched]).toEqual([[2, 10], [3, 11]]);
    // Made while the site confirms emails (at every run since), a confirmed account proved the address.
    expect([...matchUsers(drupal, strapi, policy({ confirmedEmailsSince: started })).matched]).toEqual([[2, 10], [3, 11]]);
    // Made before confirmation was turned on, it was confirmed by registering: proves nothing.
    expect(matchUsers(drupal, strapi, policy({ confirmedEmailsSince: new Date('2026-08-01T00:00:00Z') })).untrusted).toHaveLength(1);
    // Made by an admin, or listed in the map: vouched for.
    expect([...matchUsers(drupal, [user({ id: 11, username: 'bob', createdAt: after, createdByAdmin: true })], policy()).matched]).toEqual([[3, 11]]);
    expect([...matchUsers(drupal, strapi, policy({ mapFile: mapFile({ 3: 11 }) })).matched]).toEqual([[2, 10], [3, 11]]);
  });

  it('by username: only accounts the site vouches for; any other holder of a Drupal username refuses the run, saying why and what to do', () => {
    const squatter = user({ id: 11, username: 'bob', email: 'attacker@evil.example', createdAt: after });
    const strapi = [user({ id: 10, username: 'ann', createdByAdmin: true }), squatter, user({ id: 12, username: 'cat', createdAt: before })];
    let refusal: unknown;
    try {
      matchUsers(drupal, strapi, policy({ matching: 'username' }));
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(UnvouchedUsernames);
    expect((refusal as UnvouchedUsernames).matches).toEqual([
      { uid: 3, name: 'bob', userId: 11 },
      { uid: 4, name: 'cat', userId: 12 },
    ]);
    expect((refusal as Error).message).toMatch(/proves nothing about a name.*Nothing was imported.*--users-map.*--created-before/s);
    // A cutoff vouches for cat (made before it) but not for the squatter.
    expect(() => matchUsers(drupal, strapi, policy({ matching: 'username', createdBefore: started }))).toThrow(/bob \(Drupal uid 3, Strapi user 11\)/);
    // The map says who bob is (here: nobody): then the rest match by username.
    const { matched } = matchUsers(drupal, strapi, policy({ matching: 'username', createdBefore: started, mapFile: mapFile({ 3: null }) }));
    expect([...matched]).toEqual([[2, 10], [4, 12]]);
    // Confirming one's email, or --trust-unconfirmed, vouches for no name.
    expect(() => matchUsers(drupal, [squatter], policy({ matching: 'username', confirmedEmailsSince: before, trustUnconfirmed: true }))).toThrow(UnvouchedUsernames);
  });

  it('a JSON map (--users map.json) is taken as it is', () => {
    const strapi = [user({ id: 10, username: 'ann', confirmed: false, createdAt: after })];
    expect([...matchUsers(drupal, strapi, policy({ matching: { file: mapFile({ 2: 10, 3: 99, 4: null }) } })).matched]).toEqual([[2, 10]]);
  });

  it('names the accounts matched since an earlier run (they join the threads it imported)', () => {
    const now = new Map([[2, 10], [3, 11], [4, 12]]);
    expect(newlyMatchedUsers(now, new Map([[2, 10], [4, 13]]))).toEqual({ users: new Set([11, 12]), uids: [3, 4] });
  });
});

describe('imported bodies', () => {
  const render = (over: Partial<typeof defaultConfig> = {}) => {
    const report = newReport('test', 'd7-2', false);
    const lossy: LossyCounts = {};
    const renderer = createBodyRenderer({ settings: { ...defaultConfig, ...over }, defaultFormat: 'filtered_html', lossy, report });
    const of = (body: string, format: string | number | null) => renderer({ mid: 1, author: 2, subject: 's', body, format, timestamp: 0, hasTokens: false });
    return { of, lossy, report };
  };

  it('are cut at maxBodyLength, reported', () => {
    const { of, lossy } = render({ maxBodyLength: 10 });
    expect(of('0123456789', 'plain_text').body).toBe('0123456789');
    expect(of('0123456789ABC', 'plain_text').body).toBe('012345678…');
    expect(lossy.bodiesShortened).toBe(1);
    expect(cutBody('1234567😀89', 9)).toBe('1234567…'); // never half a surrogate pair
  });

  it('drop PHP code whole and keep the text around it, counted', () => {
    expect(removePhpCode('Hi <?php print check_plain($user->name) . "!"; ?> there')).toEqual({ text: 'Hi  there', blocks: 1 });
    expect(removePhpCode('a <?php echo "?>"; // x ?>b<? echo 1 ?>c <?= $x')).toEqual({ text: 'a bc ', blocks: 3 });
    expect(isPhpFormat('php_code', null)).toBe(true);
    expect(isPhpFormat(0, 2)).toBe(true);
    expect(isPhpFormat('full_html', null)).toBe(false);
    const { of, lossy } = render();
    const { body } = of('Hello <?php print $user->name) . "!"; ?> and bye', 'php_code');
    expect(body).toBe('<p>Hello  and bye</p>');
    expect(body).not.toMatch(/name|\?>/);
    expect(lossy.phpCodeRemoved).toBe(1);
  });

  it('count what sanitizing removes from Full HTML (Drupal showed it), not from filtered formats', () => {
    const { of, lossy, report } = render();
    of('<p>Watch</p><iframe src="https://video.example/1"></iframe><p style="color:red">x</p>', 'full_html');
    of('<p>ok</p><script>x()</script>', 'filtered_html');
    expect(lossy.markupRemoved).toBe(1);
    expect(report.markupRemoved).toEqual({ '<iframe>': 1, 'src=': 1, 'style=': 1 });
    expect(removedMarkup('plain', 'plain').size).toBe(0);
  });
});

describe('planTags (the import and the dry run alike)', () => {
  it('merges one user\'s tags differing by case and counts it', () => {
    const lossy: LossyCounts = {};
    const plan = (id: number, tags: { userId: number; tagId: number; name: string }[]) => ({ plan: { sourceThreadId: id, tags } as any });
    const { wanted, links } = planTags([plan(1, [{ userId: 5, tagId: 2, name: 'Work' }]), plan(2, [{ userId: 5, tagId: 3, name: 'work' }])], lossy);
    expect(wanted.size).toBe(1);
    expect(links).toHaveLength(2);
    expect(lossy).toEqual({ tagsMerged: 1 });
  });
});

describe('mergeRerunMembership (a later run, into a thread in use here)', () => {
  const here = { hidden: false, inInbox: true, archived: false, visibleAfterMessageId: 0, lastReadMessageId: 10, unreadCount: 0, removedAt: null, leftAt: null };
  const drupal = { hidden: false, inInbox: true, archived: false, visibleAfterMessageId: 0, lastReadMessageId: 9, unreadCount: 3, removedAt: null };

  it('keeps the read state of here and adds only the new messages privatemsg has unread', () => {
    expect(mergeRerunMembership(here, drupal, { visible: [11, 12], unread: [12] })).toMatchObject({ lastReadMessageId: 11, unreadCount: 1, removedAt: null });
    // Read in Drupal too: nothing unread, the watermark after the last new message.
    expect(mergeRerunMembership(here, drupal, { visible: [11, 12], unread: [] })).toMatchObject({ lastReadMessageId: 12, unreadCount: 0 });
    // Already unread here: the watermark stays at the first unread one.
    expect(mergeRerunMembership({ ...here, lastReadMessageId: 7, unreadCount: 3 }, drupal, { visible: [11], unread: [11] })).toMatchObject({
      lastReadMessageId: 7,
      unreadCount: 4,
    });
  });

  it('brings back a thread removed here, showing only what came after; archived stays archived unless Drupal lists it', () => {
    const removed = { ...here, inInbox: false, removedAt: new Date(5), visibleAfterMessageId: 10 };
    expect(mergeRerunMembership(removed, { ...drupal, inInbox: false }, { visible: [11], unread: [11] })).toEqual({
      hidden: false,
      inInbox: true,
      archived: false,
      visibleAfterMessageId: 10,
      lastReadMessageId: 10,
      unreadCount: 1,
      removedAt: null,
    });
    expect(mergeRerunMembership({ ...here, inInbox: false, archived: true }, { ...drupal, inInbox: false }, { visible: [11], unread: [] })).toMatchObject({
      inInbox: false,
      archived: true,
    });
    expect(mergeRerunMembership({ ...here, inInbox: false }, drupal, { visible: [11], unread: [11] }).inInbox).toBe(true);
  });

  it('leaves the row alone when nothing new reaches the member, or they left here', () => {
    const { leftAt: _l, ...kept } = here;
    expect(mergeRerunMembership(here, drupal, { visible: [], unread: [] })).toEqual(kept);
    expect(mergeRerunMembership(here, { ...drupal, removedAt: new Date(1) }, { visible: [11], unread: [11] })).toEqual(kept);
    expect(mergeRerunMembership({ ...here, leftAt: new Date(2) }, drupal, { visible: [11], unread: [11] })).toEqual(kept);
  });
});

describe('sharedTargets', () => {
  it('names the Strapi users several Drupal accounts were matched to', () => {
    expect(sharedTargets(new Map([[2, 10], [3, 11], [4, 10], [5, 10]]))).toEqual([{ userId: 10, uids: [2, 4, 5] }]);
    expect(sharedTargets(new Map([[2, 10]]))).toEqual([]);
  });
});
