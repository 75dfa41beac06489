// The admin API as the console calls it: same origin, the session cookie
// (HttpOnly, set by POST /admin/v1/sessions) and the CSRF value held in
// memory only. No token is ever kept by the browser: not in storage, not in
// this module.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

let csrf = '';
let onUnauthorized: () => void = () => {};

export function setCsrf(value: string): void {
  csrf = value;
}

// Called on any 401 (the session expired or was signed out elsewhere).
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function queryString(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const apiBase = '/admin/v1';

// GET requests started before the page that needs them exists: on a page
// load, router.ts sends the page's first data requests beside the session
// check instead of after it (and after the page's code). The first api()
// GET of the same URL takes the answer; unclaimed ones expire.
const early = new Map<string, { at: number; response: Promise<Response> }>();
const earlyLifetimeMs = 10_000;

function get(url: string): Promise<Response> {
  return fetch(url, { method: 'GET', headers: { Accept: 'application/json' }, credentials: 'same-origin' });
}

export function prefetch(path: string, query?: Query): void {
  const url = apiBase + path + queryString(query);
  if (early.has(url)) return;
  const response = get(url);
  response.catch(() => {}); // an unclaimed failure is nobody's error
  early.set(url, { at: Date.now(), response });
}

function takeEarly(url: string): Promise<Response> | undefined {
  const e = early.get(url);
  if (!e) return undefined;
  early.delete(url);
  return Date.now() - e.at < earlyLifetimeMs ? e.response : undefined;
}

// Forgets every early request (at sign-in and sign-out: their answers
// belong to the session that was).
export function dropPrefetched(): void {
  early.clear();
}

export async function api<T>(
  method: string,
  path: string,
  options: { query?: Query; body?: unknown; quietUnauthorized?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-Allot-CSRF'] = csrf;
  const url = apiBase + path + queryString(options.query);
  let response: Response;
  try {
    const prefetched = method === 'GET' ? takeEarly(url) : undefined;
    response = await (prefetched ??
      fetch(url, {
        method,
        headers,
        credentials: 'same-origin',
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      }));
  } catch {
    throw new ApiError(0, 'network', 'allot did not answer; check that it is running');
  }
  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    if (response.status === 401 && !options.quietUnauthorized) onUnauthorized();
    throw new ApiError(
      response.status,
      err?.code ?? String(response.status),
      err?.message ?? `the server answered ${response.status}`,
      data,
    );
  }
  return data as T;
}

// The URL of a CSV export of a list endpoint (the browser downloads it with
// the session cookie; the server pages through the whole list).
export function csvUrl(path: string, query?: Query): string {
  return apiBase + path + queryString({ ...query, format: 'csv' });
}

// Every page of a cursor-paged list, for small lists (subscriptions,
// products). Stops at `max` items.
export async function listAll<T>(path: string, query: Query = {}, max = 5000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await api<Page<T>>('GET', path, {
      query: { ...query, limit: 1000, cursor: cursor ?? undefined },
    });
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && out.length < max);
  return out;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
