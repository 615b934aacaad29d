import { errors } from '@strapi/utils';
import { defaultConfig, type FormatName, type FormatRule, type PluginConfig } from '../../server/src/config/defaults';
import formatsService, { excerptOf, renderBody, renderPlainText, URL_ATTRIBUTES } from '../../server/src/services/formats';

/*
 * Pure tests of the body formats: what survives sanitizing, and the rules `render` applies
 * (format enabled, maximum length, not empty once sanitized).
 */

const service = formatsService();
const render = (body: string, format?: FormatName, settings: PluginConfig = defaultConfig) =>
  service.render(settings, body, format);
const html = (body: string, format: FormatName, settings: PluginConfig = defaultConfig) =>
  render(body, format, settings).html;

/** The error `fn` throws (fails the test if it throws nothing). */
const thrown = (fn: () => unknown): any => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error to be thrown');
};

const HTML_FORMATS: FormatName[] = ['basic_html', 'full_html'];
const ALL_FORMATS: FormatName[] = ['plain_text', ...HTML_FORMATS];

/** Markup that would run script, in any of its usual spellings. */
const expectNoActiveContent = (out: string) => {
  expect(out).not.toMatch(/<\s*script/i);
  expect(out).not.toMatch(/<\s*(iframe|object|embed|form|input|button|style|svg|math|body|link|meta|base)\b/i);
  // An attribute starting with "on", inside a real tag.
  expect(out).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
  expect(out).not.toMatch(/<[^>]*\sstyle\s*=/i);
  expect(out).not.toMatch(/<[^>]*\s(href|src|action|formaction|srcdoc|data)\s*=\s*["']?\s*(javascript|vbscript|data):/i);
  expect(out).not.toMatch(/javascript:|vbscript:/i);
};

/* --------------------------------------------------------------------------------------------- */

describe('renderPlainText', () => {
  it('escapes HTML special characters', () => {
    expect(renderPlainText(`<b>"Tom" & 'Jerry'</b>`)).toBe(
      '&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;'
    );
  });

  it('turns \\n, \\r\\n and lone \\r into <br>', () => {
    expect(renderPlainText('a\nb')).toBe('a<br>b');
    expect(renderPlainText('a\r\nb')).toBe('a<br>b');
    expect(renderPlainText('a\rb')).toBe('a<br>b');
    expect(renderPlainText('a\r\n\r\nb\n')).toBe('a<br><br>b<br>');
  });

  it('does not double the <br> for \\r\\n', () => {
    expect(renderPlainText('one\r\ntwo\r\nthree')).toBe('one<br>two<br>three');
  });

  it('leaves entities as text (their & is escaped)', () => {
    expect(renderPlainText('&lt;script&gt; &#106;')).toBe('&amp;lt;script&amp;gt; &amp;#106;');
  });
});

/* --------------------------------------------------------------------------------------------- */

describe('excerptOf', () => {
  it('is plain text: tags removed, entities decoded', () => {
    expect(excerptOf('<p>Hello <strong>world</strong> &amp; &lt;friends&gt; &quot;q&quot; &#39;s&#39;</p>')).toBe(
      `Hello world & <friends> "q" 's'`
    );
  });

  it('decodes &nbsp; and named entities', () => {
    expect(excerptOf('caf&eacute;&nbsp;au&nbsp;lait')).toBe('café au lait');
  });

  it('decodes only once (an escaped entity stays an entity)', () => {
    expect(excerptOf('&amp;lt;b&amp;gt;')).toBe('&lt;b&gt;');
  });

  it('collapses whitespace and trims', () => {
    expect(excerptOf('  <p>a \n\n\t b</p>   <p>  c  </p>  ')).toBe('a b c');
  });

  it('separates block elements and <br> with a space', () => {
    expect(excerptOf('<p>one</p><p>two</p>')).toBe('one two');
    expect(excerptOf('line<br>break<br/>here<br />end')).toBe('line break here end');
    expect(excerptOf('<ul><li>a</li><li>b</li></ul>')).toBe('a b');
    expect(excerptOf('<h1>Title</h1><div>body</div>')).toBe('Title body');
    expect(excerptOf('<table><tr><td>x</td><td>y</td></tr></table>')).toBe('x y');
  });

  it('drops the text of script and style', () => {
    expect(excerptOf('<script>alert(1)</script><style>p{}</style>visible')).toBe('visible');
  });

  it('is at most 140 characters, ending with an ellipsis when cut', () => {
    const long = `<p>${'word '.repeat(100)}</p>`;
    const excerpt = excerptOf(long);
    expect(excerpt.length).toBeLessThanOrEqual(140);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt.startsWith('word word')).toBe(true);

    const unbroken = 'x'.repeat(500);
    expect(excerptOf(unbroken)).toHaveLength(140);
    expect(excerptOf(unbroken)).toBe(`${'x'.repeat(139)}…`);
  });

  it('keeps a text of exactly 140 characters whole', () => {
    const exact = 'y'.repeat(140);
    expect(excerptOf(exact)).toBe(exact);
    expect(excerptOf(`${'y'.repeat(141)}`)).toHaveLength(140);
  });

  it('counts the length after decoding entities', () => {
    const body = '&amp;'.repeat(140);
    expect(excerptOf(body)).toBe('&'.repeat(140));
  });

  it('is empty for markup without text', () => {
    expect(excerptOf('<p></p><br><p>&nbsp;</p>')).toBe('');
    expect(excerptOf('')).toBe('');
  });
});

/* --------------------------------------------------------------------------------------------- */

describe('XSS vectors', () => {
  /*
   * Each vector must come out with nothing that runs script. In the HTML formats the dangerous
   * parts are removed; in plain_text everything is escaped.
   */
  const vectors: Record<string, string> = {
    'script tag': '<script>alert(1)</script>hello',
    'script tag, upper case': '<SCRIPT>alert(1)</SCRIPT>hello',
    'script tag with src': '<script src="https://evil.example/x.js"></script>hello',
    'split script tag': '<scr<script>ipt>alert(1)</script>hello',
    'img onerror': '<img src=x onerror=alert(1)>hello',
    'img onerror, quoted and https src': '<img src="https://example.com/a.png" onerror="alert(1)">hello',
    'img onload': '<img src="https://example.com/a.png" onload="alert(1)">hello',
    'a onclick': '<a href="https://example.com" onclick="alert(1)">hello</a>',
    'a onmouseover, mixed case': '<a href="https://example.com" OnMouseOver="alert(1)">hello</a>',
    'p onclick': '<p onclick="alert(1)">hello</p>',
    'body onload': '<body onload="alert(1)">hello</body>',
    'a javascript:': '<a href="javascript:alert(1)">hello</a>',
    'a javascript:, unquoted': '<a href=javascript:alert(1)>hello</a>',
    'a JaVaScRiPt:': '<a href="JaVaScRiPt:alert(1)">hello</a>',
    'a javascript: with leading space': '<a href="  javascript:alert(1)">hello</a>',
    'a javascript: with leading entity space': '<a href="&#x20;javascript:alert(1)">hello</a>',
    'a javascript: with a tab entity': '<a href="jav&#x09;ascript:alert(1)">hello</a>',
    'a javascript: with a newline entity': '<a href="jav&#x0A;ascript:alert(1)">hello</a>',
    'a javascript: with a raw tab': '<a href="jav\tascript:alert(1)">hello</a>',
    'a javascript: with a control character': '<a href="\u0001javascript:alert(1)">hello</a>',
    'a javascript: with a NUL': '<a href="java\u0000script:alert(1)">hello</a>',
    'a javascript: decimal entities': '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">hello</a>',
    'a javascript: hex entity': '<a href="&#x6A;avascript:alert(1)">hello</a>',
    'a javascript: &colon;': '<a href="javascript&colon;alert(1)">hello</a>',
    'a vbscript:': '<a href="vbscript:msgbox(1)">hello</a>',
    'a VBScript:': '<a href="VBScript:msgbox(1)">hello</a>',
    'a data:': '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">hello</a>',
    'a DATA:': '<a href=" DATA:text/html,<script>alert(1)</script>">hello</a>',
    'img javascript:': '<img src="javascript:alert(1)">hello',
    'img JavaScript: with entity': '<img src="java&#x09;Script:alert(1)">hello',
    'img vbscript:': '<img src="vbscript:msgbox(1)">hello',
    'img data:': '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">hello',
    'svg onload': '<svg onload=alert(1)>x</svg>hello',
    'svg script': '<svg><script>alert(1)</script></svg>hello',
    'svg animate href': '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a></svg>hello',
    iframe: '<iframe src="https://evil.example"></iframe>hello',
    'iframe javascript:': '<iframe src="javascript:alert(1)">x</iframe>hello',
    'iframe srcdoc': '<iframe srcdoc="<script>alert(1)</script>"></iframe>hello',
    object: '<object data="https://evil.example/x.swf">fallback</object>hello',
    embed: '<embed src="https://evil.example/x.swf">hello',
    'form and input': '<form action="https://evil.example"><input name="password" type="password"><button formaction="javascript:alert(1)">go</button></form>hello',
    'style tag': '<style>body { background: url("javascript:alert(1)") }</style>hello',
    'style attribute': '<p style="background:url(javascript:alert(1))">hello</p>',
    math: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>hello',
    'math href': '<math href="javascript:alert(1)"><mi>x</mi></math>hello',
    'noscript breakout': '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>hello',
    'comment': '<!--<img src=x onerror=alert(1)>-->hello',
    'cdata': '<![CDATA[<img src=x onerror=alert(1)>]]>hello',
    'meta refresh': '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">hello',
    'base href': '<base href="javascript:alert(1)//">hello',
    'link stylesheet': '<link rel="stylesheet" href="https://evil.example/x.css">hello',
    'template': '<template><script>alert(1)</script></template>hello',
  };

  describe.each(HTML_FORMATS)('%s', (format) => {
    it.each(Object.entries(vectors))('%s: nothing active survives', (_name, body) => {
      expectNoActiveContent(html(body, format));
    });

    it('removes a script tag and its text', () => {
      const out = html('<p>before</p><script>alert("xss")</script><p>after</p>', format);
      expect(out).toBe('<p>before</p><p>after</p>');
      expect(out).not.toContain('alert');
    });

    it('removes event-handler attributes from img, a, p and body', () => {
      expect(html('<p onclick="alert(1)" onmouseover="alert(2)">text</p>', format)).toBe('<p>text</p>');
      expect(html('<body onload="alert(1)"><p>text</p></body>', format)).toBe('<p>text</p>');
      const link = html('<a href="https://example.com/" onclick="alert(1)" onload="x">link</a>', format);
      expect(link).toBe('<a href="https://example.com/" rel="nofollow noopener">link</a>');
      const img = html('<p>x</p><img src="https://example.com/a.png" onerror="alert(1)" onload="alert(2)">', format);
      expect(img).not.toMatch(/onerror|onload|alert/);
    });

    it.each([
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      '\tjavascript:alert(1)',
      'jav&#x09;ascript:alert(1)',
      'jav&#9;ascript:alert(1)',
      'jav&#x0A;ascript:alert(1)',
      'jav&#x0D;ascript:alert(1)',
      '&#106;avascript:alert(1)',
      '&#x6a;avascript:alert(1)',
      'javascript&colon;alert(1)',
      'vbscript:msgbox(1)',
      'VbScRiPt:msgbox(1)',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'DaTa:text/html,<script>alert(1)</script>',
      '//evil.example/x',
    ])('drops a[href=%j] but keeps the link text', (href) => {
      const out = html(`<a href="${href}">link</a>`, format);
      expect(out).toBe('<a rel="nofollow noopener">link</a>');
    });

    it('drops <svg> with its content and handlers', () => {
      expect(html('<svg onload="alert(1)"><circle r="1"/>svgtext</svg><p>ok</p>', format)).toBe('<p>ok</p>');
      expect(html('<svg><script>alert(1)</script></svg><p>ok</p>', format)).toBe('<p>ok</p>');
    });

    it('drops iframe, object and embed with their content', () => {
      expect(html('<iframe src="https://evil.example">inner</iframe><p>ok</p>', format)).toBe('<p>ok</p>');
      expect(html('<object data="x.swf">inner</object><p>ok</p>', format)).toBe('<p>ok</p>');
      expect(html('<embed src="x.swf"><p>ok</p>', format)).toBe('<p>ok</p>');
    });

    it('drops form controls', () => {
      const out = html('<form action="https://evil.example"><input name="a" value="v"><p>ok</p></form>', format);
      expect(out).toBe('<p>ok</p>');
    });

    it('drops <style> with its content and style attributes', () => {
      expect(html('<style>p { color: red }</style><p style="color:red">ok</p>', format)).toBe('<p>ok</p>');
    });

    it('drops <math> with its content', () => {
      expect(html('<math><mi>x</mi><mo>=</mo></math><p>ok</p>', format)).toBe('<p>ok</p>');
    });

    it('keeps http, https and mailto links, with rel="nofollow noopener"', () => {
      expect(html('<a href="https://example.com/path?q=1&amp;r=2">s</a>', format)).toBe(
        '<a href="https://example.com/path?q=1&amp;r=2" rel="nofollow noopener">s</a>'
      );
      expect(html('<a href="http://example.com">h</a>', format)).toBe(
        '<a href="http://example.com" rel="nofollow noopener">h</a>'
      );
      expect(html('<a href="mailto:someone@example.com">m</a>', format)).toBe(
        '<a href="mailto:someone@example.com" rel="nofollow noopener">m</a>'
      );
    });

    it('replaces a rel given by the sender and drops target', () => {
      expect(html('<a href="https://example.com" rel="opener" target="_blank">x</a>', format)).toBe(
        '<a href="https://example.com" rel="nofollow noopener">x</a>'
      );
    });

    it('keeps the basic formatting tags', () => {
      const body =
        '<p><strong>b</strong> <em>i</em> <code>c</code></p><ul><li>1</li></ul><ol><li>2</li></ol><blockquote>q</blockquote><pre>p</pre>';
      expect(html(body, format)).toBe(body);
    });
  });

  describe('plain_text', () => {
    it.each(Object.entries(vectors))('%s: is escaped, no tag survives', (_name, body) => {
      const out = html(body, 'plain_text');
      // Nothing but the <br> we add is markup.
      expect(out.replace(/<br>/g, '')).not.toMatch(/[<>"']/);
      expect(out).toBe(renderPlainText(body));
    });

    it('shows markup as text', () => {
      expect(html('<script>alert(1)</script>', 'plain_text')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html('<a href="javascript:alert(1)">x</a>', 'plain_text')).toBe(
        '&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;'
      );
      expect(html('<img src=x onerror=alert(1)>', 'plain_text')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    });

    it('turns line breaks into <br>', () => {
      expect(html('line 1\nline 2\r\nline 3', 'plain_text')).toBe('line 1<br>line 2<br>line 3');
    });
  });
});

/* --------------------------------------------------------------------------------------------- */

describe('basic_html', () => {
  it('removes tags it does not allow but keeps their text', () => {
    expect(html('<h1>Title</h1><p>x <span class="c">y</span></p>', 'basic_html')).toBe('Title<p>x y</p>');
  });

  it('drops img and tables (full_html only)', () => {
    expect(html('<p>x</p><img src="https://example.com/a.png">', 'basic_html')).toBe('<p>x</p>');
    expect(html('<table><tr><td>cell</td></tr></table>', 'basic_html')).toBe('cell');
  });

  it('drops class and other attributes', () => {
    expect(html('<p class="big" id="x" title="t">x</p>', 'basic_html')).toBe('<p>x</p>');
    expect(html('<a href="https://e.com" title="t" class="c">x</a>', 'basic_html')).toBe(
      '<a href="https://e.com" rel="nofollow noopener">x</a>'
    );
  });
});

describe('full_html', () => {
  it('keeps headings, tables and their span attributes', () => {
    const body =
      '<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4><h5>e</h5><h6>f</h6><hr />' +
      '<table><caption>cap</caption><thead><tr><th colspan="2">h</th></tr></thead>' +
      '<tbody><tr><td rowspan="2">x</td><td>y</td></tr></tbody><tfoot><tr><td>z</td></tr></tfoot></table>';
    expect(html(body, 'full_html')).toBe(body);
  });

  it('keeps img with an https (or http) src and its allowed attributes', () => {
    expect(
      html('<p>x</p><img src="https://example.com/a.png" alt="A" title="T" width="10" height="20">', 'full_html')
    ).toBe('<p>x</p><img src="https://example.com/a.png" alt="A" title="T" width="10" height="20" />');
    expect(html('<p>x</p><img src="http://example.com/a.png">', 'full_html')).toBe(
      '<p>x</p><img src="http://example.com/a.png" />'
    );
  });

  it('accepts a body that is only an image', () => {
    expect(render('<img src="https://example.com/a.png" alt="pic">', 'full_html')).toEqual({
      html: '<img src="https://example.com/a.png" alt="pic" />',
      format: 'full_html',
      excerpt: '',
    });
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'jav&#x09;ascript:alert(1)',
    ' javascript:alert(1)',
    'vbscript:msgbox(1)',
    'data:image/png;base64,iVBORw0KGgo=',
    'mailto:a@example.com',
    '//evil.example/a.png',
  ])('drops img[src=%j]', (src) => {
    const out = html(`<p>x</p><img src="${src}" alt="a">`, 'full_html');
    expect(out).toBe('<p>x</p><img alt="a" />');
  });

  it('keeps class attributes on any tag', () => {
    expect(html('<p class="lead">x</p><span class="a b">y</span><div class="d">z</div>', 'full_html')).toBe(
      '<p class="lead">x</p><span class="a b">y</span><div class="d">z</div>'
    );
  });

  it('keeps the inline formatting tags', () => {
    const body = '<p><b>b</b><i>i</i><u>u</u><s>s</s><sub>1</sub><sup>2</sup><del>d</del><ins>n</ins></p>';
    expect(html(body, 'full_html')).toBe(body);
  });

  it('drops id, title on p and other attributes it does not list', () => {
    expect(html('<p id="x" title="t" data-x="1" class="c">x</p>', 'full_html')).toBe('<p class="c">x</p>');
  });

  it('keeps the link title', () => {
    expect(html('<a href="https://e.com" title="t">x</a>', 'full_html')).toBe(
      '<a href="https://e.com" title="t" rel="nofollow noopener">x</a>'
    );
  });
});

/* --------------------------------------------------------------------------------------------- */

describe('a site builder allowing dangerous tags or attributes', () => {
  const permissive: FormatRule = {
    allowedTags: [
      'p', 'a', 'img', 'span', 'script', 'iframe', 'style', 'svg', 'math', 'object', 'embed', 'form', 'input',
      'button', 'textarea', 'link', 'meta', 'base', 'template', 'noscript', 'body',
    ],
    allowedAttributes: {
      '*': ['class', 'onclick', 'style', 'onmouseover', 'srcdoc', 'formaction', 'background'],
      a: ['href', 'onclick', 'style', 'target'],
      img: ['src', 'onerror', 'onload', 'srcset', 'style'],
      iframe: ['src', 'srcdoc'],
      p: ['onclick', 'style', 'OnClick'],
      form: ['action'],
    },
  };
  const settings: PluginConfig = {
    ...defaultConfig,
    formats: { plain_text: defaultConfig.formats.plain_text, basic_html: permissive, full_html: permissive },
  };

  describe.each(HTML_FORMATS)('%s', (format) => {
    const out = (body: string) => html(body, format, settings);

    it('still strips script (and its text)', () => {
      expect(out('<script>alert(1)</script><p>ok</p>')).toBe('<p>ok</p>');
    });

    it('still strips iframe', () => {
      expect(out('<iframe src="https://evil.example" srcdoc="<script>alert(1)</script>">x</iframe><p>ok</p>')).toBe(
        '<p>ok</p>'
      );
    });

    it('still strips style tags, style attributes and onclick', () => {
      expect(out('<style>*{}</style><p onclick="alert(1)" style="color:red" class="k">ok</p>')).toBe(
        '<p class="k">ok</p>'
      );
      expect(out('<a href="https://e.com" onclick="alert(1)" style="x">ok</a>')).toBe(
        '<a href="https://e.com" rel="nofollow noopener">ok</a>'
      );
    });

    it('still strips img handlers, srcset and non-http src', () => {
      expect(out('<p>x</p><img src="https://e.com/a.png" onerror="alert(1)" onload="x" srcset="javascript:x 1x">')).toBe(
        '<p>x</p><img src="https://e.com/a.png" />'
      );
      expect(out('<p>x</p><img src="javascript:alert(1)">')).toBe('<p>x</p><img />');
    });

    it('still strips svg, math, object, embed, forms, meta, base, link, template and noscript', () => {
      const body =
        '<svg onload="x"><script>y</script></svg><math><mi>m</mi></math><object data="x">o</object><embed src="x">' +
        '<form action="https://evil"><input name="a"><button formaction="javascript:x">b</button><textarea>t</textarea></form>' +
        '<meta http-equiv="refresh" content="0"><base href="https://evil/"><link rel="stylesheet" href="x">' +
        '<template><p>t</p></template><noscript>n</noscript><p>ok</p>';
      const result = out(body);
      expectNoActiveContent(result);
      expect(result).toBe('b<p>ok</p>');
    });

    it('still strips event handlers and style from an allowed body tag', () => {
      const result = out('<body onload="alert(1)" style="x" background="javascript:x"><p>ok</p></body>');
      expect(result).not.toMatch(/onload|style|background|alert|javascript/i);
      expect(result).toContain('<p>ok</p>');
    });

    it('still refuses javascript: links', () => {
      expect(out('<a href="javascript:alert(1)" target="_blank">x</a>')).toBe(
        '<a target="_blank" rel="nofollow noopener">x</a>'
      );
    });

    it('still strips glob-like attribute names that would allow every attribute', () => {
      const rule: FormatRule = { allowedTags: ['p'], allowedAttributes: { p: ['*'], '*': ['o*', 's*'] } };
      expect(renderBody('<p onclick="alert(1)" style="x" class="c">t</p>', format, rule)).toBe('<p>t</p>');
    });
  });
});

/* --------------------------------------------------------------------------------------------- */

describe('every attribute that can carry a URL, whatever the allow-list says', () => {
  // Plain attribute names only (the settings schema refuses `xlink:href`); every one allowed on every tag.
  const names = URL_ATTRIBUTES.filter((a) => /^[a-z][a-z0-9-]*$/.test(a));
  const rule: FormatRule = {
    allowedTags: ['p', 'a', 'span', 'video', 'audio', 'source', 'img', 'blockquote', 'q', 'area', 'map'],
    allowedAttributes: { '*': names },
  };
  // Those the sanitizer drops whatever their value (they submit data or restyle).
  const alwaysDropped = new Set(['srcset', 'action', 'formaction', 'background']);

  describe.each(HTML_FORMATS)('%s', (format) => {
    const out = (body: string) => renderBody(body, format, rule);

    it.each(names)('%s: javascript:, vbscript: and data: URLs are dropped, in any spelling', (name) => {
      for (const value of [
        'javascript:alert(1)',
        'JaVaScRiPt:alert(1)',
        ' \tjava\nscript:alert(1)',
        'java&#x09;script:alert(1)',
        '&#106;avascript:alert(1)',
        'vbscript:msgbox(1)',
        'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
        'data:image/svg+xml,<svg onload=alert(1)>',
        '//evil.example/a.png',
      ]) {
        const result = out(`<span ${name}="${value.replace(/"/g, '&quot;')}">x</span><video ${name}="${value}"></video>`);
        expect(result).toBe('<span>x</span><video></video>');
      }
    });

    it.each(names.filter((n) => !alwaysDropped.has(n)))('%s: an https or relative URL is kept', (name) => {
      expect(out(`<span ${name}="https://ok.example/a.png">x</span>`)).toBe(`<span ${name}="https://ok.example/a.png">x</span>`);
      expect(out(`<span ${name}="/a.png">x</span>`)).toBe(`<span ${name}="/a.png">x</span>`);
    });

    it('video poster: only http(s) or relative (no javascript:, data: or mailto:)', () => {
      expect(out('<video poster="javascript:alert(1)" src="https://ok.example/v.mp4"></video>')).toBe(
        '<video src="https://ok.example/v.mp4"></video>'
      );
      expect(out('<video poster="data:image/png;base64,AAAA"></video>')).toBe('<video></video>');
      expect(out('<video poster="mailto:ann@example.test"></video>')).toBe('<video></video>');
      expect(out('<video poster="https://ok.example/p.png"></video>')).toBe('<video poster="https://ok.example/p.png"></video>');
    });

    it.each(['srcset', 'ping', 'archive', 'attributionsrc'])('%s (several URLs): one bad URL among good ones drops it', (name) => {
      for (const value of ['https://ok.example/a.png javascript:alert(1)', 'https://ok.example/a.png 1x, data:image/png;base64,AAAA 2x']) {
        expect(out(`<span ${name}="${value}">x</span>`)).toBe('<span>x</span>');
      }
    });

    it('a ping with one bad URL among good ones is dropped whole; good ones stay', () => {
      expect(out('<a href="https://ok.example" ping="https://ok.example/p javascript:alert(1)">x</a>')).toBe(
        '<a href="https://ok.example" rel="nofollow noopener">x</a>'
      );
      expect(out('<a href="https://ok.example" ping="https://ok.example/p /q">x</a>')).toBe(
        '<a href="https://ok.example" ping="https://ok.example/p /q" rel="nofollow noopener">x</a>'
      );
    });

    it('a mailto: link stays (on a link, not on something loaded)', () => {
      expect(out('<a href="mailto:ann@example.test">x</a>')).toBe('<a href="mailto:ann@example.test" rel="nofollow noopener">x</a>');
      expect(out('<img src="mailto:ann@example.test" />')).toBe('<img />');
    });

    it('the output never holds a script or data URL in any attribute', () => {
      const body = names
        .map((n) => `<span ${n}="javascript:alert(1)">a</span><video ${n}="data:x,y"></video><q ${n}=" javascript:x">q</q>`)
        .join('');
      const result = out(body);
      expectNoActiveContent(result);
      expect(result).not.toMatch(/data:/i);
    });
  });
});

/* --------------------------------------------------------------------------------------------- */

describe('renderBody', () => {
  it('renders plain_text whatever the rule says', () => {
    expect(renderBody('<b>x</b>\ny', 'plain_text', defaultConfig.formats.full_html)).toBe('&lt;b&gt;x&lt;/b&gt;<br>y');
  });

  it('uses the rule it is given', () => {
    const rule: FormatRule = { allowedTags: ['em'], allowedAttributes: {} };
    expect(renderBody('<p><em>x</em> <strong>y</strong></p>', 'basic_html', rule)).toBe('<em>x</em> y');
  });

  it('does not add rel when a is not allowed', () => {
    const rule: FormatRule = { allowedTags: ['p'], allowedAttributes: {} };
    expect(renderBody('<p><a href="https://e.com">x</a></p>', 'basic_html', rule)).toBe('<p>x</p>');
  });
});

/* --------------------------------------------------------------------------------------------- */

describe('render', () => {
  it('returns html, format and excerpt', () => {
    expect(render('<p>Hello <strong>you</strong> &amp; me</p>', 'basic_html')).toEqual({
      html: '<p>Hello <strong>you</strong> &amp; me</p>',
      format: 'basic_html',
      excerpt: 'Hello you & me',
    });
  });

  it('uses the default format when none is given', () => {
    expect(render('<b>x</b>')).toEqual({ html: '&lt;b&gt;x&lt;/b&gt;', format: 'plain_text', excerpt: '<b>x</b>' });
    const settings: PluginConfig = { ...defaultConfig, defaultFormat: 'basic_html' };
    expect(render('<strong>x</strong>', undefined, settings).format).toBe('basic_html');
  });

  it('trims the rendered html', () => {
    expect(html('  <p>x</p>  \n', 'basic_html')).toBe('<p>x</p>');
  });

  it('gives plain_text an excerpt with the text as sent', () => {
    const r = render('a < b && "c"\nnext line', 'plain_text');
    expect(r.html).toBe('a &lt; b &amp;&amp; &quot;c&quot;<br>next line');
    expect(r.excerpt).toBe('a < b && "c" next line');
  });

  it('gives an excerpt of at most 140 characters', () => {
    const r = render(`<p>${'lorem ipsum '.repeat(50)}</p>`, 'full_html');
    expect(r.excerpt.length).toBeLessThanOrEqual(140);
    expect(r.excerpt.endsWith('…')).toBe(true);
  });

  describe('the format must be enabled', () => {
    const settings: PluginConfig = { ...defaultConfig, enabledFormats: ['plain_text', 'basic_html'] };

    it('refuses a format that is not enabled with a ValidationError on format', () => {
      const error = thrown(() => render('<p>x</p>', 'full_html', settings));
      expect(error).toBeInstanceOf(errors.ValidationError);
      expect(error.name).toBe('ValidationError');
      expect(error.message).toContain('full_html');
      expect(error.details.errors).toEqual([
        { path: ['format'], message: 'must be one of plain_text, basic_html', name: 'ValidationError' },
      ]);
    });

    it('refuses the default format too when it is not enabled', () => {
      const broken: PluginConfig = { ...defaultConfig, enabledFormats: ['basic_html'], defaultFormat: 'plain_text' };
      expect(thrown(() => render('x', undefined, broken)).name).toBe('ValidationError');
    });

    it('accepts an enabled format', () => {
      expect(render('<p>x</p>', 'basic_html', settings).html).toBe('<p>x</p>');
    });

    it('checks the format before the length', () => {
      const error = thrown(() => render('x'.repeat(defaultConfig.maxBodyLength + 1), 'full_html', settings));
      expect(error.name).toBe('ValidationError');
    });
  });

  describe('maximum length', () => {
    it.each(ALL_FORMATS)('%s: accepts a body of exactly maxBodyLength characters', (format) => {
      expect(() => render('x'.repeat(defaultConfig.maxBodyLength), format)).not.toThrow();
    });

    it.each(ALL_FORMATS)('%s: refuses maxBodyLength+1 characters with PayloadTooLargeError', (format) => {
      const error = thrown(() => render('x'.repeat(defaultConfig.maxBodyLength + 1), format));
      expect(error).toBeInstanceOf(errors.PayloadTooLargeError);
      expect(error.name).toBe('PayloadTooLargeError');
      expect(error.message).toContain(String(defaultConfig.maxBodyLength));
    });

    it('applies the configured maximum to the body as sent, before sanitizing', () => {
      const settings: PluginConfig = { ...defaultConfig, maxBodyLength: 10 };
      expect(render('0123456789', 'plain_text', settings).html).toBe('0123456789');
      expect(thrown(() => render('01234567890', 'plain_text', settings)).name).toBe('PayloadTooLargeError');
      // Markup counts, even when sanitizing removes it.
      expect(thrown(() => render('<script></script>x', 'basic_html', settings)).name).toBe('PayloadTooLargeError');
    });
  });

  describe('empty once sanitized', () => {
    const expectEmpty = (body: string, format: FormatName) => {
      const error = thrown(() => render(body, format));
      expect(error).toBeInstanceOf(errors.ValidationError);
      expect(error.name).toBe('ValidationError');
      expect(error.details.errors).toEqual([
        { path: ['body'], message: 'is empty once sanitized', name: 'ValidationError' },
      ]);
    };

    it.each(HTML_FORMATS)('%s: a body that is only <script>x</script> is refused', (format) => {
      expectEmpty('<script>x</script>', format);
    });

    it.each([
      '   ',
      ' \n\t\r\n ',
      '&nbsp;',
      '&nbsp; &nbsp;&nbsp;',
      '\u00a0',
      '<p>&nbsp;</p>',
      '<p> </p><br><br />',
      '<p></p><strong></strong>',
      '<style>p{}</style>',
      '<iframe src="https://e.com">text</iframe>',
      '<svg><text>t</text></svg>',
      '<!-- a comment -->',
      '<img src=x onerror=alert(1)>',
    ])('basic_html: %j is refused', (body) => {
      expectEmpty(body, 'basic_html');
    });

    it.each(['   ', '\n', '\r\n\r\n', '\t '])('plain_text: %j is refused', (body) => {
      expectEmpty(body, 'plain_text');
    });

    it('full_html: only tags without text is refused', () => {
      expectEmpty('<h1> </h1><table><tr><td>&nbsp;</td></tr></table>', 'full_html');
    });

    it('plain_text: text that looks like markup is not empty', () => {
      expect(render('<script>x</script>', 'plain_text').html).toBe('&lt;script&gt;x&lt;/script&gt;');
      expect(render('&nbsp;', 'plain_text').html).toBe('&amp;nbsp;');
    });
  });
});
