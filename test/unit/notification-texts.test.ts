import { DEFAULT_TEMPLATES, EMAIL_KINDS, PLACEHOLDERS, linkValue, renderEmail, templateProblem } from '../../server/src/config/email-templates';
import { lastPeriod, periodOf } from '../../server/src/services/digest';

describe('email texts', () => {
  it('every default text, in each language, uses only its kind’s placeholders', () => {
    for (const locale of ['en', 'fr'] as const) {
      for (const kind of EMAIL_KINDS) {
        expect(templateProblem(kind, DEFAULT_TEMPLATES[locale][kind].subject)).toBeNull();
        expect(templateProblem(kind, DEFAULT_TEMPLATES[locale][kind].body)).toBeNull();
      }
    }
    expect(PLACEHOLDERS.reply).toEqual(['author', 'subject', 'excerpt', 'url']);
  });

  it('names the unknown placeholder', () => {
    expect(templateProblem('reply', 'Hi {{ author }}, {{token}}')).toMatch(/^unknown placeholder \{\{token\}\}/);
    expect(templateProblem('digest', '{{excerpt}}')).toMatch(/\{\{excerpt\}\}/);
  });

  it('escapes the text and every value in HTML, keeps the plain text as written, and keeps the subject on one line', () => {
    const email = renderEmail(
      { subject: '{{subject}}\r\nBcc: x@example.com', body: '<i>Hi</i> {{author}}\n{{excerpt}}\n\n{{url}}' },
      { subject: 'a\nb', author: '<script>', excerpt: '"&"', url: linkValue('https://e.example/?a=1&b="2"') }
    );
    expect(email.subject).toBe('a b Bcc: x@example.com');
    expect(email.text).toBe('<i>Hi</i> <script>\n"&"\n\nhttps://e.example/?a=1&b="2"');
    expect(email.html).toBe(
      '<p>&lt;i&gt;Hi&lt;/i&gt; &lt;script&gt;<br>&quot;&amp;&quot;</p>\n<p><a href="https://e.example/?a=1&amp;b=&quot;2&quot;">https://e.example/?a=1&amp;b=&quot;2&quot;</a></p>'
    );
  });
});

describe('digest periods (UTC)', () => {
  it('daily: the whole day before the run', () => {
    const p = lastPeriod('daily', new Date('2026-12-07T00:00:00.000Z'));
    expect(p).toMatchObject({ key: 'daily:2026-12-06', start: new Date('2026-12-06T00:00:00.000Z'), end: new Date('2026-12-07T00:00:00.000Z') });
    expect(lastPeriod('daily', new Date('2026-12-06T23:59:59.999Z')).key).toBe('daily:2026-12-05');
  });

  it('weekly: Monday to Monday, the last whole week', () => {
    // 2026-12-07 is a Monday.
    expect(lastPeriod('weekly', new Date('2026-12-07T00:00:00.000Z')).key).toBe('weekly:2026-11-30');
    expect(lastPeriod('weekly', new Date('2026-12-06T23:59:59.999Z')).key).toBe('weekly:2026-11-23');
    expect(lastPeriod('weekly', new Date('2026-12-13T12:00:00.000Z')).key).toBe('weekly:2026-11-30');
  });

  it('a row’s key gives back its period', () => {
    for (const at of ['2026-12-07T05:00:00Z', '2027-01-01T00:30:00Z', '2026-03-29T12:00:00Z']) {
      for (const f of ['daily', 'weekly'] as const) {
        const p = lastPeriod(f, new Date(at));
        expect(periodOf(p.key)).toEqual(p);
      }
    }
  });
});
