import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toRumRows } from './rows.ts';
import type { FaroPayload } from './schemas.ts';

const captured: { body: FaroPayload }[] = JSON.parse(fs.readFileSync(new URL('./faro-payload-sample.json', import.meta.url), 'utf8'));
const app = { name: 'portal', key: 'probe-key', environment: 'production', origins: ['*'] };
const NOW = Date.parse('2026-11-26T06:54:42Z');
const event = (name: string, attributes: Record<string, string>): FaroPayload => ({ meta: {}, events: [{ name, attributes, timestamp: '2026-11-26T06:54:40.000Z' }] });

describe('toRumRows', () => {
  it('turns each measurement value into a row and tags the vital it belongs to', () => {
    const rows = toRumRows(captured[0]!.body, { app, now: NOW });
    expect(rows.rum_measurements.map((r) => r.name)).toEqual(['my_metric', 'ttfb', 'delta', 'connection_duration', 'request_duration', 'waiting_duration', 'cache_duration', 'fcp', 'delta', 'first_byte_to_fcp', 'time_to_first_byte']);
    const delta = rows.rum_measurements[2]!;
    expect(delta).toMatchObject({ environment: 'production', app: 'portal', app_version: '0.0.1', value: 70, timestamp: '2026-11-26 06:54:39.750' });
    expect(delta.attributes).toMatchObject({ vital: 'ttfb', navigation_type: 'navigate', 'meta.app.environment': 'probe', 'meta.os.name': 'Linux' });
    expect(rows.rum_measurements[0]!.attributes).toMatchObject({ 'measurement.type': 'custom' });
    expect(rows.rum_measurements[0]!.attributes.vital).toBeUndefined();
  });

  it('takes page-load time from navigation timing, with fallbacks', () => {
    const duration = (p: FaroPayload) => toRumRows(p, { app, now: NOW }).rum_events[0]!.duration_ms;
    expect(duration(event('faro.performance.navigation', { pageLoadTime: '611', duration: '614' }))).toBe(611);
    expect(duration(event('faro.performance.navigation', { pageLoadTime: 'unknown', totalNavigationTime: '700' }))).toBe(700);
    expect(duration(event('faro.performance.resource', { duration: '12' }))).toBe(12);
    expect(duration(event('route-change', { duration: '12' }))).toBeNull();
  });

  it('uses the receive time for a browser clock far off, keeping the original', () => {
    const payload: FaroPayload = { meta: {}, logs: [{ message: 'm', level: 'WARN', timestamp: '1999-01-01T00:00:00Z' }] };
    const [log] = toRumRows(payload, { app, now: NOW, sessionHeader: 'abc' }).rum_logs;
    expect(log).toMatchObject({ timestamp: '2026-11-26 06:54:42.000', level: 'warn', session_id: 'abc', attributes: { 'faro.timestamp': '1999-01-01T00:00:00Z' } });
  });
});
