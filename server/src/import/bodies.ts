import sanitizeHtml from 'sanitize-html';
import type { PluginConfig } from '../config/defaults';
import { mapFormat, renderImportedBody } from './formats';
import { isPhpFormat, removePhpCode } from './php-code';
import type { SourceMessage } from './reader';
import type { ImportReport, LossyCounts } from './report';

/*
 * A Drupal message's body as we store it, and what it lost on the way, counted in the report:
 *   - the site's maxBodyLength applies to imported bodies as to new ones (a 30 MB body stalled
 *     the server on every view of its thread): a longer body is cut, ending with "…";
 *   - PHP code (the PHP code format) is dropped whole (php-code.ts);
 *   - what the sanitizer removes from Full HTML bodies, which Drupal showed as written (embedded
 *     video iframes, style attributes): each element and attribute counted. Filtered and plain
 *     formats lose nothing Drupal showed (its own filters removed the same when it showed them).
 */

const ELLIPSIS = '…';

/** Elements (`<iframe>`) and attributes (`style=`) in some HTML, counted. */
const markupOf = (html: string) => {
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  sanitizeHtml(html, {
    allowedTags: false,
    allowedAttributes: false,
    // Raw text elements are counted like any other (their text is not parsed as markup). This
    // pass only counts: its output is thrown away, so letting script through here is harmless.
    nonTextTags: [],
    allowVulnerableTags: true,
    transformTags: {
      '*': (tagName, attribs) => {
        add(`<${tagName.toLowerCase()}>`);
        for (const name of Object.keys(attribs)) add(`${name.toLowerCase()}=`);
        return { tagName, attribs };
      },
    },
  });
  return counts;
};

/** What is in `before` and not (or less often) in `after`. */
export const removedMarkup = (before: string, after: string) => {
  if (!before.includes('<')) return new Map<string, number>();
  const kept = markupOf(after);
  const removed = new Map<string, number>();
  for (const [key, n] of markupOf(before)) {
    const lost = n - (kept.get(key) ?? 0);
    if (lost > 0) removed.set(key, lost);
  }
  return removed;
};

/** At most `max` characters (UTF-16 units, as the API counts them), never splitting a surrogate pair. */
export const cutBody = (body: string, max: number) => {
  if (body.length <= max) return body;
  let end = Math.max(0, max - ELLIPSIS.length);
  if (end > 0 && /[\ud800-\udbff]/.test(body[end - 1])) end -= 1;
  return body.slice(0, end) + ELLIPSIS;
};

const bump = (lossy: LossyCounts, key: keyof LossyCounts) => {
  lossy[key] = (lossy[key] ?? 0) + 1;
};

export const createBodyRenderer = (input: {
  settings: PluginConfig;
  defaultFormat: string | number | null;
  lossy: LossyCounts;
  report: ImportReport;
}) => {
  const { settings, defaultFormat, lossy, report } = input;
  return (m: SourceMessage) => {
    const { format, known } = mapFormat(m.format, defaultFormat);
    let source = m.body;
    if (isPhpFormat(m.format, defaultFormat)) {
      const { text, blocks } = removePhpCode(source);
      if (blocks > 0) bump(lossy, 'phpCodeRemoved');
      source = text;
    }
    if (source.length > settings.maxBodyLength) {
      bump(lossy, 'bodiesShortened');
      source = cutBody(source, settings.maxBodyLength);
    }
    const rendered = renderImportedBody(settings, source, format);
    // Full HTML, and formats we do not know, showed in Drupal what their markup said.
    const showedAsWritten = format === 'full_html' || !known;
    if (showedAsWritten && format !== 'plain_text') {
      const removed = removedMarkup(source, rendered.body);
      if (removed.size > 0) {
        bump(lossy, 'markupRemoved');
        for (const [key, n] of removed) report.markupRemoved[key] = (report.markupRemoved[key] ?? 0) + n;
      }
    }
    return { body: rendered.body, excerpt: rendered.excerpt, format, knownFormat: known };
  };
};
