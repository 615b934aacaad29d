import type { FormatName, PluginConfig } from '../config/defaults';
import { excerptOf, renderBody } from '../services/formats';

/*
 * Drupal text formats to ours. D7 names them (filtered_html, full_html, plain_text, ...); D6 numbers
 * them (1 Filtered HTML, 2 PHP code, 3 Full HTML; 0 is the site default). A format we do not know
 * (a site's own, php_code) becomes basic_html, the safest rendering that keeps markup, and is
 * reported. Bodies are sanitized again with our rules whatever their format was.
 */
const D7_FORMATS: Record<string, FormatName> = {
  plain_text: 'plain_text',
  filtered_html: 'basic_html',
  basic_html: 'basic_html',
  restricted_html: 'basic_html',
  full_html: 'full_html',
};
const D6_FORMATS: Record<number, FormatName> = { 1: 'basic_html', 3: 'full_html' };

export const mapFormat = (format: string | number | null, defaultFormat: string | number | null): { format: FormatName; known: boolean } => {
  let value = format;
  if (value === null || value === '' || value === 0 || value === '0') value = defaultFormat;
  if (value === null || value === undefined || value === '') return { format: 'plain_text', known: true };
  const n = Number(value);
  if (Number.isInteger(n) && String(value).trim() !== '') {
    const mapped = D6_FORMATS[n];
    return mapped ? { format: mapped, known: true } : { format: 'basic_html', known: false };
  }
  const mapped = D7_FORMATS[String(value)];
  return mapped ? { format: mapped, known: true } : { format: 'basic_html', known: false };
};

/**
 * Drupal's HTML formats run the line-break filter (filter_autop) when they show a message: a body
 * is stored with bare newlines. Without it the paragraphs would run together, so a body with no
 * block markup of its own gets paragraphs and line breaks, as Drupal showed it.
 */
export const autoParagraphs = (body: string) => {
  if (/<(p|br|div|ul|ol|table|blockquote|pre|h[1-6])[\s>/]/i.test(body)) return body;
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((para) => para.trim())
    .filter((para) => para !== '')
    .map((para) => `<p>${para.replace(/\n/g, '<br>')}</p>`)
    .join('');
};

/** The body as we store it: sanitized with our rules for the mapped format, and its excerpt. */
export const renderImportedBody = (settings: PluginConfig, body: string, format: FormatName) => {
  const source = format === 'plain_text' ? body : autoParagraphs(body);
  const html = renderBody(source, format, settings.formats[format]).trim();
  return { body: html, excerpt: excerptOf(html) };
};
