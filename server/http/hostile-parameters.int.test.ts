import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';

// Every read route of the OpenAPI document, every parameter, hostile values:
// a client's bad input is a 4xx naming the field, never a 500.
const HOSTILE = ['1e400', '-1e400', 'NaN', 'Infinity', '-1', '0', '9007199254740993', '1.5', '', 'x'.repeat(5000), '\u0000', '%00', '😀', '\ud800', 'a,b', '[]', '{}', 'true', '2026-13-45T99:99:99Z', "'; DROP TABLE logs; --"];

/** Percent-encodes like encodeURIComponent; an unpaired surrogate goes out as the bytes of invalid UTF-8. */
const encode = (value: string) => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};
const queryString = (query: Record<string, string>) => Object.entries(query).map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');

interface Operation {
  parameters?: { name: string; in: 'query' | 'path'; required?: boolean }[];
}

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt.close());

describe('read API under hostile parameters', () => {
  it('answers every GET route with hostile values in every parameter without a 5xx', async () => {
    const doc = (await rt.app.inject({ headers: rt.admin, url: '/api/docs/json' })).json() as { paths: Record<string, { get?: Operation }> };
    const failures: string[] = [];
    let requests = 0;
    const routes = Object.entries(doc.paths).filter(([route, ops]) => ops.get && !route.endsWith('/stream') && !route.startsWith('/api/docs'));
    expect(routes.length).toBeGreaterThan(10);
    for (const [route, ops] of routes) {
      const params = ops.get!.parameters ?? [];
      const baseline = Object.fromEntries(params.filter((p) => p.in === 'query' && p.required).map((p) => [p.name, p.name === 'source' ? 'probes' : 'production']));
      const pathWith = (overrides: Record<string, string>) => route.replace(/\{(\w+)\}/g, (_m, name: string) => encode(overrides[name] ?? 'x'));
      const probes: { path: string; query: Record<string, string> }[] = [{ path: pathWith({}), query: { ...baseline, unknown_parameter: '1' } }];
      for (const p of params) {
        for (const value of HOSTILE) {
          probes.push(p.in === 'path' ? { path: pathWith({ [p.name]: value }), query: baseline } : { path: pathWith({}), query: { ...baseline, [p.name]: value } });
        }
      }
      for (const probe of probes) {
        const response = await rt.app.inject({ method: "GET", headers: rt.admin, url: `${probe.path}?${queryString(probe.query)}` });
        requests++;
        if (response.statusCode >= 500) failures.push(`${response.statusCode} GET ${probe.path} ${JSON.stringify(probe.query).slice(0, 120)}: ${response.body.slice(0, 160)}`);
        else if (response.statusCode >= 400 && response.headers['content-type']?.includes('json')) {
          const body = response.json() as { error?: string; message?: string };
          if (!body.error || !body.message) failures.push(`${response.statusCode} GET ${probe.path} without { error, message }`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(200);
  });
});
