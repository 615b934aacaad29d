import type { ErrorCode, ErrorDetails, Refusal } from './types';

/** The base path of the plugin's content API on a Strapi app. */
export const API_PREFIX = '/api/private-messages';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type ClientOptions = {
  /** The Strapi app's URL, e.g. `https://cms.example.com` (no trailing `/api`). */
  baseUrl: string;
  /** A users-permissions JWT... */
  token?: string;
  /**
   * ...or a function that returns the current one (null when logged out). The client calls it with
   * `{ refresh: true }` when the server refused the last one (a 401, or the stream's `reauth`): renew it
   * then (users-permissions' `POST /api/auth/refresh`) and the client retries the request once.
   */
  getToken?: (context: { refresh: boolean }) => string | null | undefined | Promise<string | null | undefined>;
  /** Defaults to the global `fetch` (Node 20 and browsers). */
  fetch?: FetchLike;
};

/**
 * A refused request, in Strapi's error shape: `status` (the HTTP status), `name` (`ValidationError`,
 * `ForbiddenError`, `NotFoundError`, ...), `message` and `details`; `code`/`codes` are the
 * machine-readable reasons (`details.code`, or each `details.refused[].code`), typed as the server's
 * own list, so a misspelt code does not compile. A site whose send guards add codes of their own
 * names them: `isPrivateMessagesError<'office_hours'>(e)`.
 */
export class PrivateMessagesError<CustomCode extends string = never> extends Error {
  readonly status: number;
  readonly details: ErrorDetails;
  /** Per-recipient refusals of a send (`details.refused`), empty otherwise. */
  readonly refused: Array<Omit<Refusal, 'code'> & { code: Refusal['code'] | CustomCode }>;
  /** Every machine-readable code: `details.code` first, then each refused recipient's. */
  readonly codes: Array<ErrorCode | CustomCode>;
  /** The first of `codes`, if any. */
  readonly code: ErrorCode | CustomCode | undefined;
  /** Seconds to wait after a 429 or a 503 (the Retry-After header). */
  readonly retryAfter: number | undefined;

  constructor(init: { status: number; name: string; message: string; details?: ErrorDetails; retryAfter?: number }) {
    super(init.message);
    this.name = init.name;
    this.status = init.status;
    this.details = init.details ?? {};
    this.refused = Array.isArray(this.details.refused) ? this.details.refused : [];
    const codes = [typeof this.details.code === 'string' ? this.details.code : null, ...this.refused.map((r) => r.code)];
    this.codes = [...new Set(codes.filter((c): c is ErrorCode | CustomCode => typeof c === 'string'))];
    this.code = this.codes[0];
    this.retryAfter = init.retryAfter ?? (typeof this.details.retryAfter === 'number' ? this.details.retryAfter : undefined);
  }
}

export const isPrivateMessagesError = <CustomCode extends string = never>(e: unknown): e is PrivateMessagesError<CustomCode> =>
  e instanceof PrivateMessagesError;

const retryAfterOf = (res: Response) => {
  const header = res.headers.get('retry-after');
  return header && /^\d+$/.test(header) ? Number(header) : undefined;
};

/**
 * Turns a non-2xx answer into a PrivateMessagesError, whatever its body (Strapi's shape, or a proxy's
 * HTML page). The status is always the HTTP status: a body cannot claim another one.
 */
export const errorFromResponse = async (res: Response): Promise<PrivateMessagesError> => {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON: the status says what happened.
  }
  const error = (body as { error?: { name?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  return new PrivateMessagesError({
    status: res.status,
    name: text(error?.name) ?? 'HttpError',
    message: text(error?.message) ?? (res.statusText || `HTTP ${res.status}`),
    details: error?.details && typeof error.details === 'object' ? (error.details as ErrorDetails) : {},
    retryAfter: retryAfterOf(res),
  });
};

/** A 2xx answer whose body is not the JSON the route promises (a proxy's page, a cut connection). */
export const invalidResponse = (res: Response, cause: unknown) =>
  Object.assign(
    new PrivateMessagesError({ status: res.status, name: 'InvalidResponseError', message: `The server answered ${res.status} without the expected JSON body` }),
    { cause }
  );

type QueryValue = string | number | boolean | undefined | null;

export const toSearch = (query?: Record<string, QueryValue>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};

/** `/threads/:id` with `{id}` → `/threads/k2l3...` (each value URL-encoded). */
export const fillPath = (path: string, params?: Record<string, string | number>) =>
  path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === '') throw new TypeError(`Missing path parameter "${name}"`);
    return encodeURIComponent(String(value));
  });

/** Attempts of one request in all: the first, then retries after a 503 or a network error (see send). */
const SEND_ATTEMPTS = 4;

const wait = (ms: number, signal?: AbortSignal | null) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Whether a 503 says the change may have been stored (`details.code: "outcome_unknown"`). */
const outcomeUnknown = async (res: Response) => {
  try {
    const body = (await res.clone().json()) as { error?: { details?: { code?: unknown } } } | null;
    return body?.error?.details?.code === 'outcome_unknown';
  } catch {
    return false;
  }
};

/** A new Idempotency-Key: a random UUID (crypto.randomUUID where there is one). */
export const newIdempotencyKey = (): string =>
  typeof globalThis.crypto?.randomUUID === 'function'
    ? globalThis.crypto.randomUUID()
    : 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => Math.floor(Math.random() * 16).toString(16));

/** The transport every method goes through: the token, JSON in and out, errors as PrivateMessagesError. */
export const createTransport = (options: ClientOptions) => {
  const fetchImpl: FetchLike | undefined = options.fetch ?? (globalThis.fetch ? globalThis.fetch.bind(globalThis) : undefined);
  if (!fetchImpl) throw new TypeError('No fetch available: pass `fetch` to createPrivateMessagesClient');
  if (!options.baseUrl) throw new TypeError('createPrivateMessagesClient needs a baseUrl');
  const base = options.baseUrl.replace(/\/+$/, '') + API_PREFIX;

  const token = async (refresh = false) => (options.getToken ? await options.getToken({ refresh }) : options.token) ?? null;

  /**
   * Only headers a browser sends cross-origin after a preflight that Strapi's default CORS
   * configuration allows (Accept, Content-Type, Authorization), so a front end on another origin
   * works with an untouched `strapi::cors`.
   */
  const headers = (jwt: string | null, extra: Record<string, string> = {}) => ({
    accept: 'application/json',
    ...(jwt ? { authorization: `Bearer ${jwt}` } : {}),
    ...extra,
  });

  /**
   * Sends with the current token; on a 401 with `getToken`, asks it for a renewed one and, when it
   * gives a different token, sends once more.
   */
  const sendOnce = async (url: string, init: RequestInit & { headers?: Record<string, string> }) => {
    const jwt = await token();
    const res = await fetchImpl(url, { ...init, headers: headers(jwt, init.headers) });
    if (res.status !== 401 || !options.getToken) return res;
    const renewed = await token(true);
    if (!renewed || renewed === jwt) return res;
    await res.body?.cancel().catch(() => {});
    return fetchImpl(url, { ...init, headers: headers(renewed, init.headers) });
  };

  /*
   * A 503 `unavailable` changed nothing (the server gave up on a passing database failure): every
   * request is sent again after Retry-After. A 503 `outcome_unknown` (the connection was lost as the
   * change was committed) and a network error may each hide a success: only a request that is safe
   * to repeat is sent again then, a GET or a send with its Idempotency-Key (the server answers a
   * repeat with the first result and stores nothing); any other request fails with that error.
   */
  const send = async (url: string, init: RequestInit & { headers: Record<string, string> }, repeatable: boolean) => {
    for (let attempt = 1; ; attempt += 1) {
      let res: Response;
      try {
        res = await sendOnce(url, init);
      } catch (error) {
        if (!repeatable || attempt >= SEND_ATTEMPTS || init.signal?.aborted) throw error;
        await wait(250 * 2 ** attempt, init.signal);
        continue;
      }
      if (res.status !== 503 || attempt >= SEND_ATTEMPTS) return res;
      if (!repeatable && (await outcomeUnknown(res))) return res;
      const seconds = Number(res.headers.get('retry-after'));
      await wait(Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 10) * 1000 : 1000, init.signal);
    }
  };

  const request = async <T>(
    method: string,
    path: string,
    init: {
      params?: Record<string, string | number>;
      query?: Record<string, QueryValue>;
      body?: unknown;
      signal?: AbortSignal;
      /** A send's key: the same for each of its attempts. */
      idempotencyKey?: string;
    } = {}
  ): Promise<T> => {
    const hasBody = init.body !== undefined;
    // The send's key travels in the query (`idempotencyKey`): an Idempotency-Key header is not one
    // Strapi's default CORS configuration lets a page on another origin send.
    const query = init.idempotencyKey ? { ...init.query, idempotencyKey: init.idempotencyKey } : init.query;
    const res = await send(
      `${base}${fillPath(path, init.params)}${toSearch(query)}`,
      {
        method,
        headers: hasBody ? { 'content-type': 'application/json' } : {},
        body: hasBody ? JSON.stringify(init.body) : undefined,
        signal: init.signal,
      },
      method === 'GET' || Boolean(init.idempotencyKey)
    );
    if (!res.ok) throw await errorFromResponse(res);
    if (res.status === 204) return undefined as T;
    try {
      return (await res.json()) as T;
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw invalidResponse(res, error);
    }
  };

  /** A multipart upload (field `files`, one part per file): the route's JSON answer. */
  const upload = async <T>(path: string, files: Blob[], signal?: AbortSignal): Promise<T> => {
    const form = new FormData();
    for (const file of files) form.append('files', file, (file as { name?: string }).name || 'file');
    // No content-type of our own: fetch writes the multipart boundary. Not repeated after a network error.
    const res = await send(`${base}${path}`, { method: 'POST', headers: {}, body: form, signal }, false);
    if (!res.ok) throw await errorFromResponse(res);
    try {
      return (await res.json()) as T;
    } catch (error) {
      if (signal?.aborted) throw error;
      throw invalidResponse(res, error);
    }
  };

  /** The bytes a GET answers, as a Blob (an attachment: `URL.createObjectURL(blob)` for an <img>). */
  const blob = async (path: string, signal?: AbortSignal): Promise<Blob> => {
    const res = await send(`${base}${path}`, { method: 'GET', headers: { accept: '*/*' }, signal }, true);
    if (!res.ok) throw await errorFromResponse(res);
    return res.blob();
  };

  /** Whether a new token may come from getToken (after `reauth`). */
  const canRefresh = Boolean(options.getToken);

  return { base, fetch: fetchImpl, token, headers, send, request, upload, blob, canRefresh };
};

export type Transport = ReturnType<typeof createTransport>;
