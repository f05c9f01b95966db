import { dateTimeText } from '../storage/sql.ts';
import type { FaroApp } from './config.ts';
import { WEB_VITALS, type FaroPayload } from './schemas.ts';

type Attributes = Record<string, string>;
interface Common {
  timestamp: string;
  environment: string;
  app: string;
  session_id: string;
  page_url: string;
  attributes: Attributes;
}
export interface MeasurementRow extends Common { app_version: string; name: string; value: number; browser: string }
export interface EventRow extends Common { name: string; domain: string; duration_ms: number | null }
export interface ExceptionRow extends Common { type: string; value: string; stacktrace: string }
export interface LogRow extends Common { level: string; message: string }

export interface RumRows {
  rum_measurements: MeasurementRow[];
  rum_events: EventRow[];
  rum_exceptions: ExceptionRow[];
  rum_logs: LogRow[];
}

export interface RowContext {
  app: FaroApp;
  /** x-faro-session-id, used when meta carries no session. */
  sessionHeader?: string;
  now: number;
}

export const NAVIGATION_EVENT = 'faro.performance.navigation';
const RESOURCE_EVENT = 'faro.performance.resource';
// Browser clocks drift; a time far off is replaced by the receive time (the original is kept).
const PAST_SLACK_MS = 7 * 86_400_000;
const FUTURE_SLACK_MS = 86_400_000;

/** Turns one Faro payload into rows per table. Environment and app come from the app key's config, never the payload. */
export function toRumRows(payload: FaroPayload, ctx: RowContext): RumRows {
  const { meta } = payload;
  const shared = metaAttributes(payload);
  const base = (timestamp: string, extra: Attributes = {}): Common => {
    const ms = Date.parse(timestamp);
    const skewed = !(ms >= ctx.now - PAST_SLACK_MS && ms <= ctx.now + FUTURE_SLACK_MS);
    return {
      timestamp: dateTimeText(skewed ? ctx.now : ms),
      environment: ctx.app.environment,
      app: ctx.app.name,
      session_id: meta.session?.id ?? ctx.sessionHeader ?? '',
      page_url: meta.page?.url ?? '',
      attributes: { ...extra, ...shared, ...(skewed ? { 'faro.timestamp': timestamp } : {}) },
    };
  };
  const browser = meta.browser?.name ?? '';
  const appVersion = meta.app?.version ?? '';

  const rum_measurements = (payload.measurements ?? []).flatMap((m) => {
    const vital = m.type === 'web-vitals' ? WEB_VITALS.find((v) => v in m.values) : undefined;
    const extra = { ...text(m.context), 'measurement.type': m.type, ...(vital ? { vital } : {}) };
    return Object.entries(m.values).map(([name, value]) => ({ ...base(m.timestamp, extra), app_version: appVersion, name, value, browser }));
  });
  const rum_events = (payload.events ?? []).map((e) => {
    const attributes = text(e.attributes);
    return { ...base(e.timestamp, attributes), name: e.name, domain: e.domain ?? '', duration_ms: durationOf(e.name, attributes) };
  });
  const rum_exceptions = (payload.exceptions ?? []).map((x) => ({ ...base(x.timestamp, text(x.context)), type: x.type, value: x.value, stacktrace: formatStack(x.stacktrace?.frames ?? []) }));
  const rum_logs = (payload.logs ?? []).map((l) => ({ ...base(l.timestamp, text(l.context)), level: l.level.toLowerCase(), message: l.message }));
  return { rum_measurements, rum_events, rum_exceptions, rum_logs };
}

export function countRows(rows: RumRows): number {
  return rows.rum_measurements.length + rows.rum_events.length + rows.rum_exceptions.length + rows.rum_logs.length;
}

/**
 * Page-load time of a navigation: Faro's pageLoadTime (domComplete − fetchStart),
 * else the whole navigation (totalNavigationTime, or the entry's duration).
 * Resource timings carry their duration (or fetchTime).
 */
function durationOf(name: string, attributes: Attributes): number | null {
  const keys = name === NAVIGATION_EVENT ? ['pageLoadTime', 'totalNavigationTime', 'duration'] : name === RESOURCE_EVENT ? ['duration', 'fetchTime'] : [];
  for (const key of keys) {
    const raw = attributes[key];
    const value = raw === undefined || raw === '' ? NaN : Number(raw);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  return null;
}

function metaAttributes({ meta }: FaroPayload): Attributes {
  const pairs: [string, unknown][] = [
    ['meta.app.name', meta.app?.name],
    ['meta.app.environment', meta.app?.environment],
    ['meta.app.version', meta.app?.version],
    ['meta.browser.name', meta.browser?.name],
    ['meta.browser.version', meta.browser?.version],
    ['meta.browser.mobile', meta.browser?.mobile],
    ['meta.os.name', meta.os?.name ?? meta.browser?.os],
    ['meta.view.name', meta.view?.name],
    ['meta.sdk.version', meta.sdk?.version],
  ];
  return Object.fromEntries(pairs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
}

function text(map: Record<string, string | number | boolean> | undefined): Attributes {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, String(v)]));
}

type Frame = NonNullable<NonNullable<FaroPayload['exceptions']>[number]['stacktrace']>['frames'][number];

/** V8-style text: "    at fn (file:line:col)", one frame a line. */
function formatStack(frames: Frame[]): string {
  return frames
    .map((f) => {
      const where = [f.filename ?? '<unknown>', f.lineno, f.colno].filter((p) => p !== undefined).join(':');
      return `    at ${f.function ?? '?'} (${where})`;
    })
    .join('\n');
}
