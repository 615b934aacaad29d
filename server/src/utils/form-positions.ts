import type { Core } from '@strapi/strapi';

/*
 * Where each uploaded file stood in its multipart form. Strapi's body parser (koa-body, formidable)
 * lists a field's files in the order their temporary files were finished writing, which is not
 * always the order they were sent in: a large first file can finish after a small second one. The
 * upload's answers name a file by its place in the form (`files.<i>`), so the plugin adds a
 * `fileBegin` listener to `strapi::body`'s formidable options (keeping any the site set): formidable
 * announces files in form order, and the listener numbers them per field.
 */

const POSITION = Symbol.for('private-messages.formPosition');
type Numbered = { [POSITION]?: number };

/** Per form (formidable calls the listener with the form as `this`): the next number per field. */
const counters = new WeakMap<object, Map<string, number>>();

type FileBegin = (this: unknown, name: string, file: unknown) => void;

const numberingListener = (siteListener?: FileBegin): FileBegin =>
  function numberFile(this: unknown, name, file) {
    // (Already numbered: the listener was added twice, e.g. by a second register of the plugin.)
    if (this && typeof this === 'object' && file && typeof file === 'object' && !(POSITION in file)) {
      const perField = counters.get(this) ?? new Map<string, number>();
      counters.set(this, perField);
      const next = perField.get(name) ?? 0;
      perField.set(name, next + 1);
      Object.defineProperty(file, POSITION, { value: next, enumerable: false });
    }
    siteListener?.call(this, name, file);
  };

type MiddlewareEntry = string | { name?: string; resolve?: string; config?: Record<string, any> };

/** Strapi's middleware list when the app has none of its own (`@strapi/core`'s default). */
const STRAPI_DEFAULT_MIDDLEWARES = [
  'strapi::logger', 'strapi::errors', 'strapi::security', 'strapi::cors', 'strapi::poweredBy',
  'strapi::session', 'strapi::query', 'strapi::body', 'strapi::favicon', 'strapi::public',
];

/** Register phase (before Strapi builds its middlewares): numbers uploaded files by their place in the form. */
export const numberUploadedFiles = (strapi: Core.Strapi) => {
  const list = strapi.config.get('middlewares', STRAPI_DEFAULT_MIDDLEWARES) as MiddlewareEntry[];
  if (!Array.isArray(list)) return;
  const patched = list.map((entry) => {
    const named = typeof entry === 'string' ? entry : entry?.name;
    if (named !== 'strapi::body') return entry;
    const config = typeof entry === 'string' ? {} : (entry.config ?? {});
    const formidable = config.formidable ?? {};
    return {
      ...(typeof entry === 'string' ? { name: entry } : entry),
      config: { ...config, formidable: { ...formidable, onFileBegin: numberingListener(formidable.onFileBegin) } },
    };
  });
  strapi.config.set('middlewares', patched);
};

/** A field's files in the order they were sent (files the listener did not number keep their place, last). */
export const inFormOrder = <T extends object>(files: T[]) =>
  files
    .map((file, received) => ({ file, at: (file as unknown as Numbered)[POSITION] ?? files.length + received }))
    .sort((a, b) => a.at - b.at)
    .map((entry) => entry.file);
