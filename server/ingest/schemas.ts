import { Type, type Static } from 'typebox';

// One schema per record kind: it validates every row at the door and
// documents the ingest API in OpenAPI. Timestamps are RFC 3339 text
// ("2026-11-26T09:00:00.123Z"; no offset means UTC) or epoch milliseconds.

/** Lengths in UTF-16 units, as the schemas check them (the judge's plain lane reads them too). */
export const LIMITS = { timeText: { min: 10, max: 40 }, environment: 32, name: 256, level: 16, mapKey: 128, mapValue: 8192, mapEntries: 64 } as const;

const Timestamp = Type.Union([Type.String({ minLength: LIMITS.timeText.min, maxLength: LIMITS.timeText.max }), Type.Integer()], {
  description: 'RFC 3339 time (no offset = UTC) or epoch milliseconds',
});
const Environment = Type.String({ minLength: 1, maxLength: LIMITS.environment, description: 'one of the configured environments' });
const Name = (description: string) => Type.String({ maxLength: LIMITS.name, description });
const Scalar = Type.Union([Type.String({ maxLength: LIMITS.mapValue }), Type.Number(), Type.Boolean()]);
const StringMap = (description: string) => Type.Record(Type.String({ maxLength: LIMITS.mapKey }), Scalar, { maxProperties: LIMITS.mapEntries, description });
const Millis = (description: string) => Type.Number({ minimum: 0, maximum: 86_400_000, description });

export const LogRecord = Type.Object(
  {
    timestamp: Timestamp,
    environment: Environment,
    host: Type.Optional(Name('host that produced the line')),
    service: Type.Optional(Name('application or service name')),
    level: Type.Optional(Type.String({ maxLength: LIMITS.level, description: 'error, warn, info, debug… (normalised)' })),
    message: Type.String({ description: 'the log line' }),
    attributes: Type.Optional(StringMap('extra fields, stored as text')),
  },
  { additionalProperties: false },
);

export const MetricRecord = Type.Object(
  {
    timestamp: Timestamp,
    environment: Environment,
    host: Type.Optional(Name('host the sample describes')),
    name: Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:.]{0,199}$', description: 'metric name, e.g. cpu_utilisation_percent' }),
    labels: Type.Optional(StringMap('metric labels')),
    value: Type.Number(),
  },
  { additionalProperties: false },
);

export const ProbeRecord = Type.Object(
  {
    timestamp: Timestamp,
    environment: Environment,
    target: Type.String({ minLength: 1, maxLength: 200, description: 'probe target name' }),
    url: Type.Optional(Type.String({ maxLength: 2048 })),
    ok: Type.Boolean({ description: 'whether the check passed' }),
    status: Type.Optional(Type.Integer({ minimum: 0, maximum: 999, description: 'HTTP status, 0 when none' })),
    error: Type.Optional(Type.String({ maxLength: 4096 })),
    dns_ms: Type.Optional(Millis('DNS lookup')),
    connect_ms: Type.Optional(Millis('TCP connect')),
    tls_ms: Type.Optional(Millis('TLS handshake')),
    ttfb_ms: Type.Optional(Millis('time to first byte')),
    total_ms: Millis('whole response time'),
  },
  { additionalProperties: false },
);

/** The record schema of each telemetry kind (validation and OpenAPI share it). */
export const RECORD_SCHEMAS = { logs: LogRecord, metrics: MetricRecord, probes: ProbeRecord } as const;

export type LogRecord = Static<typeof LogRecord>;
export type MetricRecord = Static<typeof MetricRecord>;
export type ProbeRecord = Static<typeof ProbeRecord>;

export const IngestAccepted = Type.Object({
  accepted: Type.Integer({ description: 'rows durably stored by this request' }),
  duplicate: Type.Boolean({ description: 'true when the Idempotency-Key was seen before and nothing new was stored' }),
});

export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Array(Type.Object({ field: Type.Optional(Type.String()), line: Type.Optional(Type.Integer()), reason: Type.String() }, { additionalProperties: true })),
});
