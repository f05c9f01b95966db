import { Type, type Static } from 'typebox';

// What the Grafana Faro web SDK (2.x) POSTs to its collector URL. Objects
// stay open (the SDK adds fields over time); the parts we store are checked.

const Timestamp = Type.String({ format: 'date-time', maxLength: 40, description: 'RFC 3339, set by the browser' });
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
const ScalarMap = Type.Record(Type.String(), Scalar, { maxProperties: 100 });
const MAX_ITEMS = 1000;

const Meta = Type.Object({
  sdk: Type.Optional(Type.Object({ name: Type.Optional(Type.String()), version: Type.Optional(Type.String()) })),
  app: Type.Optional(Type.Object({ name: Type.Optional(Type.String()), version: Type.Optional(Type.String()), environment: Type.Optional(Type.String()) })),
  browser: Type.Optional(Type.Object({ name: Type.Optional(Type.String()), version: Type.Optional(Type.String()), os: Type.Optional(Type.String()), mobile: Type.Optional(Type.Boolean()) })),
  os: Type.Optional(Type.Object({ name: Type.Optional(Type.String()) })),
  page: Type.Optional(Type.Object({ url: Type.Optional(Type.String({ maxLength: 4096 })), id: Type.Optional(Type.String()) })),
  session: Type.Optional(Type.Object({ id: Type.Optional(Type.String({ maxLength: 128 })) })),
  view: Type.Optional(Type.Object({ name: Type.Optional(Type.String()) })),
});

const Log = Type.Object({ message: Type.String(), level: Type.String({ maxLength: 16 }), timestamp: Timestamp, context: Type.Optional(ScalarMap) });

const Frame = Type.Object({
  filename: Type.Optional(Type.String()),
  function: Type.Optional(Type.String()),
  lineno: Type.Optional(Type.Number()),
  colno: Type.Optional(Type.Number()),
});
const Exception = Type.Object({
  type: Type.String({ maxLength: 256 }),
  value: Type.String(),
  timestamp: Timestamp,
  stacktrace: Type.Optional(Type.Object({ frames: Type.Array(Frame, { maxItems: 500 }) })),
  context: Type.Optional(ScalarMap),
});

const Measurement = Type.Object({
  type: Type.String({ maxLength: 128 }),
  values: Type.Record(Type.String(), Type.Number(), { maxProperties: 100, description: 'name → number; each becomes one stored row' }),
  timestamp: Timestamp,
  context: Type.Optional(ScalarMap),
});

const Event = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  domain: Type.Optional(Type.String({ maxLength: 128 })),
  attributes: Type.Optional(ScalarMap),
  timestamp: Timestamp,
});

export const FaroPayload = Type.Object({
  meta: Meta,
  logs: Type.Optional(Type.Array(Log, { maxItems: MAX_ITEMS })),
  exceptions: Type.Optional(Type.Array(Exception, { maxItems: MAX_ITEMS })),
  measurements: Type.Optional(Type.Array(Measurement, { maxItems: MAX_ITEMS })),
  events: Type.Optional(Type.Array(Event, { maxItems: MAX_ITEMS })),
  traces: Type.Optional(Type.Object({}, { description: 'OTLP spans; accepted, not stored' })),
});
export type FaroPayload = Static<typeof FaroPayload>;

export const CollectAccepted = Type.Object({
  accepted: Type.Integer({ description: 'rows stored from this request' }),
  duplicate: Type.Boolean({ description: 'true when the idempotency-key was seen in the last 10 minutes and nothing new was stored' }),
});

export const CollectHeaders = Type.Object({
  'x-api-key': Type.String({ description: 'the app key from the faro.apps config' }),
  'x-faro-session-id': Type.Optional(Type.String()),
  'idempotency-key': Type.Optional(Type.String({ description: 'a resend with the same key within 10 minutes is stored once' })),
});

// Read side.

const Time = (description: string) => Type.Optional(Type.String({ description: `${description}: epoch ms or RFC 3339` }));
const N = Type.Union([Type.Number(), Type.Null()]);

export const RumSeriesQuery = Type.Object(
  {
    environment: Type.String({ maxLength: 32 }),
    app: Type.Optional(Type.String({ maxLength: 64 })),
    page: Type.Optional(Type.String({ maxLength: 4096, description: 'page URL without query string and fragment' })),
    name: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: 'page_load (navigation timing) or a measurement: ttfb, fcp, lcp, inp, cls…' }),
    from: Time('start (default: 24 h before "to")'),
    to: Time('end (default: now)'),
    step: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 * 31, default: 60, description: 'seconds per point' })),
  },
  { additionalProperties: false },
);
export type RumSeriesQuery = Static<typeof RumSeriesQuery>;

export const RumPoint = Type.Object({ t: Type.Number({ description: 'bucket start, epoch ms' }), count: Type.Integer(), p50: N, p95: N });
export type RumPoint = Static<typeof RumPoint>;

export const RumSeriesResponse = Type.Object({ name: Type.String(), step: Type.Integer(), from: Type.Number(), to: Type.Number(), points: Type.Array(RumPoint) });

export const RumSummaryQuery = Type.Object(
  { environment: Type.String({ maxLength: 32 }), from: Time('start (default: 24 h before "to")'), to: Time('end (default: now)') },
  { additionalProperties: false },
);

export const WEB_VITALS = ['ttfb', 'fcp', 'lcp', 'inp', 'cls'] as const;
export type WebVital = (typeof WEB_VITALS)[number];

const Spread = Type.Object({ count: Type.Integer(), p75: N, p95: N });
export type Spread = Static<typeof Spread>;

export const RumPageSummary = Type.Object({
  app: Type.String(),
  page: Type.String(),
  page_loads: Type.Integer(),
  load_ms: Spread,
  ttfb: Spread,
  fcp: Spread,
  lcp: Spread,
  inp: Spread,
  cls: Spread,
  errors: Type.Integer({ description: 'exceptions (console.error included)' }),
});
export type RumPageSummary = Static<typeof RumPageSummary>;

export const RumSummaryResponse = Type.Object({ from: Type.Number(), to: Type.Number(), pages: Type.Array(RumPageSummary) });

export const FaroClientConfig = Type.Object({
  url: Type.String(),
  apiKey: Type.String(),
  app: Type.String(),
  environment: Type.String(),
});
