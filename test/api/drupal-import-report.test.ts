import { as } from '../helpers/api';
import { registerDrupalUsers, emptyPluginTables, threadDocumentId } from '../helpers/drupal-expect';
import type { DrupalSource } from '../helpers/drupal-source';
import { createSmallSite } from '../helpers/drupal-small-site';
import { useStrapi } from '../helpers/setup';
import type { TestUser } from '../helpers/users';

/*
 * What a Drupal message loses on its way in is said, and a dry run says what the import will:
 * bodies over maxBodyLength cut, PHP code dropped whole, markup that sanitizing removes from Full
 * HTML counted, NUL bytes (which PostgreSQL refuses in text) stripped from subjects, bodies and
 * tags, blocks of users without an account reported, tags merged counted alike.
 */
const ctx = useStrapi();
const importer = () => ctx.strapi.plugin('private-messages').service('drupal-import');
let source: DrupalSource;
let users: Map<number, TestUser>;

const LONG = 25_000;

beforeAll(async () => {
  await emptyPluginTables(ctx.strapi);
  // amy (2) and ben (3) have accounts; cal (4) has none.
  const site = await createSmallSite(['amy', 'ben', 'cal'], [{ author: 2, to: [3], replies: [3] }, { author: 3, to: [2] }, { author: 2, to: [3] }, { author: 4, to: [2] }], (data) => {
    const message = (mid: number) => data.messages.find((m) => m.mid === mid)!;
    Object.assign(message(1), { format: 'full_html', body: '<p>Watch [m1]</p><iframe src="https://www.youtube.com/embed/x"></iframe><p style="color:red">red</p>' });
    Object.assign(message(2), { format: 'php_code', body: 'Hello <?php print check_plain($user->name) . "!"; ?> and bye [m2]' });
    Object.assign(message(3), { body: `[m3] ${'x'.repeat(LONG)}` });
    Object.assign(message(4), { subject: 'Null\0 subject', body: 'Zero\0byte [m4]' });
    data.tags.push({ tag_id: 2, tag: 'Work\0', hidden: 0 }, { tag_id: 3, tag: 'work', hidden: 0 });
    data.tagIndex.push({ tag_id: 2, uid: 2, thread_id: 1 }, { tag_id: 3, uid: 2, thread_id: 3 });
    data.blocks.push({ author: 3, recipient: 2 }, { author: 4, recipient: 2 });
  });
  source = site.source;
  // A file field on privatemsg messages (Drupal 7's field API), two files on message 1: not imported, reported.
  await source.query(`create table field_config (id int primary key, field_name varchar(32), type varchar(128))`);
  await source.query(`create table field_config_instance (id int primary key, field_id int, entity_type varchar(32), deleted tinyint)`);
  await source.query(`create table field_data_field_pm_files (entity_type varchar(128), entity_id int, delta int, deleted tinyint, field_pm_files_fid int)`);
  await source.query(`insert into field_config values (1, 'field_pm_files', 'file'), (2, 'field_other', 'text')`);
  await source.query(`insert into field_config_instance values (1, 1, 'privatemsg_message', 0), (2, 2, 'privatemsg_message', 0)`);
  await source.query(`insert into field_data_field_pm_files values ('privatemsg_message', 1, 0, 0, 10), ('privatemsg_message', 1, 1, 0, 11), ('node', 5, 0, 0, 12)`);
  users = await registerDrupalUsers(ctx.strapi, { ...site.data, unmatchedUids: [4] });
});
afterAll(async () => source?.drop());

/** A thread (by its Drupal thread id) as the user is served it. */
const threadOf = async (user: TestUser, thread: number) => {
  const res = await as(ctx.strapi, user).get(`/threads/${(await threadDocumentId(ctx.strapi, thread))!}`).expect(200);
  return res.body.data as { subject: string; messages: { body: string }[] };
};

describe('import-drupal: what bodies lose, reported; the dry run reports what the import does', () => {
  it('counts the same in a dry run and in the import, which then serves clean bodies', async () => {
    const dry = await importer().run({ source: source.url, dryRun: true });
    expect(Object.fromEntries(Object.entries(dry.lossy).map(([k, v]) => [k, (v as { count: number }).count]))).toMatchObject({
      markupRemoved: 1,
      phpCodeRemoved: 1,
      bodiesShortened: 1,
      nulBytesStripped: 3,
      unmatchedBlocks: 1,
      tagsMerged: 1,
      attachmentsLeftOut: 2,
    });
    expect(dry.markupRemoved).toEqual({ '<iframe>': 1, 'src=': 1, 'style=': 1 });

    // On PostgreSQL, a NUL byte used to fail the import at its batch after a clean dry run.
    const report = await importer().run({ source: source.url });
    expect(report.lossy).toEqual(dry.lossy);
    expect(report.markupRemoved).toEqual(dry.markupRemoved);
    expect({ ...report.imported }).toEqual({ ...dry.imported });
    expect(report.imported.blocks).toBe(1);

    const amy = users.get(2)!;
    const first = await threadOf(amy, 1);
    expect(first.messages[0].body).toContain('Watch [m1]');
    expect(first.messages[0].body).not.toContain('iframe');
    expect(first.messages[1].body).toBe('<p>Hello  and bye [m2]</p>');
    const long = (await threadOf(amy, 3)).messages[0].body;
    expect(long.startsWith('[m3] xxx')).toBe(true);
    expect(long.endsWith('…')).toBe(true);
    expect(long.length).toBeLessThanOrEqual(20_000);
    const nul = await threadOf(amy, 4);
    expect(nul.subject).toBe('Null subject');
    expect(nul.messages[0].body).toBe('Zerobyte [m4]');
    const tags = (await as(ctx.strapi, amy).get('/tags').expect(200)).body.data.map((t: { name: string }) => t.name.toLowerCase());
    expect(tags).toEqual(['work']);
    expect((await as(ctx.strapi, amy).get('/blocks').expect(200)).body.data.map((b: { id: number }) => b.id)).toEqual([users.get(3)!.id]);
  });
});
