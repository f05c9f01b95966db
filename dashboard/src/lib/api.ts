// The dashboard's only door to the server: JSON over same-origin fetch. The
// session rides in its HttpOnly cookie; every change carries the session's
// CSRF token; an answer 401 (the session ended) sends the person to sign in.
import { locale } from './i18n.svelte.ts';
import { navigate, route } from './router.svelte.ts';

export interface UiConfig {
  version: string;
  timezone: string;
  environments: { name: string; production: boolean }[];
  faro?: { url: string; apiKey: string; app: string; environment: string };
}

export interface ErrorDetail {
  field?: string;
  reason: string;
  code?: string;
  retry_at?: string;
  /** password_policy: the word it matched (the organisation's name). */
  name?: string;
}

/** An answer other than 2xx: `code` is the server's `error` field (e.g. password_policy). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Retry-After, in seconds, when the server sent it (429). */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/** Lent by the signed-in session: its CSRF token, sent with every change. */
export const credentials = { csrfToken: '' };

/** The session's own doors answer 401 as part of their job (not signed in, wrong password): no redirect for them. */
const SESSION_DOORS = /^\/api\/v1\/(session|setup)(\/|\?|$)/;

/** Where to sign in, coming back here afterwards. */
export const signInPath = () => `/login?next=${encodeURIComponent(route.path + route.search)}`;

async function call<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
  const headers: Record<string, string> = { 'accept-language': locale.lang, ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && credentials.csrfToken) headers['x-csrf-token'] = credentials.csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (res.ok) return json as T;
  if (res.status === 401 && !SESSION_DOORS.test(path) && route.path !== '/login') navigate(signInPath(), { replace: true });
  const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
  throw new ApiError(res.status, json.error ?? 'error', json.message ?? res.statusText, json.details ?? [], Number.isFinite(retryAfter) ? retryAfter : undefined);
}

export const get = <T>(path: string) => call<T>('GET', path);
/** `headers`: e.g. an Idempotency-Key, so a second click of one form makes nothing twice. */
export const post = <T>(path: string, body: unknown = {}, headers: Record<string, string> = {}) => call<T>('POST', path, body, headers);
export const put = <T>(path: string, body: unknown) => call<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => call<T>('PATCH', path, body);
export const del = <T>(path: string) => call<T>('DELETE', path);

export function loadUiConfig(): Promise<UiConfig> {
  return get<UiConfig>('/api/v1/ui-config');
}

/** A query string from the defined values. */
export function qs(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== '') as [string, string][];
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : '';
}
