// The dashboard's only door to the server: JSON over fetch, the API key
// (for changes) from this browser's storage.

export interface UiConfig {
  version: string;
  timezone: string;
  environments: { name: string; production: boolean }[];
  faro?: { url: string; apiKey: string; app: string; environment: string };
}

const KEY = 'mimamori.apiKey';
export const apiKey = {
  get: () => localStorage.getItem(KEY) ?? '',
  set: (value: string) => (value ? localStorage.setItem(KEY, value) : localStorage.removeItem(KEY)),
};

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly details: { field?: string; reason: string }[] = []) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && apiKey.get()) headers.authorization = `Bearer ${apiKey.get()}`;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new ApiError(res.status, json.message ?? res.statusText, json.details);
  return json as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, body);
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
