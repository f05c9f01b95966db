import { Type, type Static } from 'typebox';

const Time = (description: string) => Type.Optional(Type.String({ description: `${description}: epoch ms or RFC 3339` }));

export const LogsQuery = Type.Object(
  {
    environment: Type.Optional(Type.String({ maxLength: 32 })),
    host: Type.Optional(Type.String({ maxLength: 256 })),
    service: Type.Optional(Type.String({ maxLength: 256 })),
    level: Type.Optional(Type.String({ maxLength: 64, description: 'one level or a comma list: error,warn' })),
    q: Type.Optional(Type.String({ maxLength: 512, description: 'case-insensitive text search in the message' })),
    pattern: Type.Optional(Type.String({ maxLength: 64, description: 'a learned pattern id (GET /api/v1/patterns): only the lines its template matches; needs environment' })),
    from: Time('start, inclusive (default: 24 h before "to")'),
    to: Time('end, exclusive (default: now)'),
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 100, description: '0 returns only the total' })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0, description: 'rows to skip, for the next page of the same range (give a fixed "to")' })),
  },
  { additionalProperties: false },
);
export type LogsQuery = Static<typeof LogsQuery>;

export const LogRow = Type.Object({
  timestamp: Type.String(),
  environment: Type.String(),
  host: Type.String(),
  service: Type.String(),
  level: Type.String(),
  message: Type.String(),
  attributes: Type.Record(Type.String(), Type.String()),
});

export const LogsResponse = Type.Object({ total: Type.Integer(), rows: Type.Array(LogRow) });

export const SeriesQuery = Type.Object(
  {
    source: Type.Union([Type.Literal('probes'), Type.Literal('metrics')]),
    environment: Type.String({ maxLength: 32 }),
    target: Type.Optional(Type.String({ maxLength: 200, description: 'probes: the target' })),
    host: Type.Optional(Type.String({ maxLength: 256, description: 'metrics: the host' })),
    name: Type.Optional(Type.String({ maxLength: 200, description: 'metrics: the metric name' })),
    label: Type.Optional(Type.String({ maxLength: 300, pattern: '^[^=]+=.*$', description: 'metrics: only samples with this label, `key=value` (e.g. `cpu=total`, `period=5m`)' })),
    from: Time('start (default: 24 h before "to")'),
    to: Time('end (default: now)'),
    step: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 * 31, default: 60, description: 'seconds per point; multiples of 60 and 3600 are served from rollups' })),
  },
  { additionalProperties: false },
);
export type SeriesQuery = Static<typeof SeriesQuery>;

const N = Type.Union([Type.Number(), Type.Null()]);
export const ProbePoint = Type.Object({
  t: Type.Number({ description: 'bucket start, epoch ms' }),
  count: Type.Integer(),
  ok_ratio: N,
  slow_count: Type.Integer({ description: 'answered probes over the 5 s target (failed probes are not counted here)' }),
  avg_ms: N,
  p50_ms: N,
  p95_ms: N,
  p99_ms: N,
  max_ms: N,
  dns_ms: N,
  connect_ms: N,
  tls_ms: N,
  ttfb_ms: N,
});
export const MetricPoint = Type.Object({ t: Type.Number(), count: Type.Integer(), avg: N, min: N, max: N, last: N });
export type ProbePointT = Static<typeof ProbePoint>;
export type MetricPointT = Static<typeof MetricPoint>;

export const SeriesResponse = Type.Object({
  source: Type.String(),
  resolution: Type.Union([Type.Literal('raw'), Type.Literal('1m'), Type.Literal('1h')]),
  step: Type.Integer(),
  from: Type.Number(),
  to: Type.Number(),
  points: Type.Array(Type.Union([ProbePoint, MetricPoint])),
});
