import { Type, type Static } from 'typebox';

const N = Type.Union([Type.Number(), Type.Null()]);
const S = Type.Union([Type.String(), Type.Null()]);

export const WallQuery = Type.Object(
  {
    environment: Type.Optional(Type.String({ maxLength: 32 })),
    target: Type.Optional(Type.String({ maxLength: 200, description: 'only this target\'s tile (a target page needs one, not the whole screen)' })),
  },
  { additionalProperties: false },
);
export type WallQuery = Static<typeof WallQuery>;

export const TILE_STATES = ['ok', 'slow', 'down', 'maintenance', 'stale'] as const;
export type TileState = (typeof TILE_STATES)[number];

export const TargetTile = Type.Object({
  environment: Type.String(),
  target: Type.String(),
  state: Type.Union([Type.Literal('ok'), Type.Literal('slow'), Type.Literal('down'), Type.Literal('maintenance'), Type.Literal('stale')]),
  last_ms: Type.Union([Type.Number(), Type.Null()], { description: 'response time of the newest probe; null when it failed (a failed probe has no response time)' }),
  last_ok: Type.Union([Type.Boolean(), Type.Null()]),
  last_status: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status of the newest probe when it failed (null: it succeeded, or no answer came back)' }),
  last_error: Type.Union([Type.String(), Type.Null()], { description: 'why the newest probe failed (timeout, refused, status, keyword missing); null when it succeeded' }),
  last_at: S,
  p95_1h_ms: Type.Union([Type.Number(), Type.Null()], { description: 'p95 response time of the last hour over the probes that succeeded' }),
  availability_today: Type.Union([Type.Number({ description: 'percent of probes ok since local midnight' }), Type.Null()]),
  alerts: Type.Array(Type.String(), { description: 'rules firing for this target' }),
});

export const HostTile = Type.Object({
  environment: Type.String(),
  host: Type.String(),
  cpu: N,
  threshold: Type.Number({ description: 'lowest threshold_percent of the cpu rules covering the host' }),
  spark: Type.Array(N, { description: 'the last 60 one-minute averages, oldest first; null where no data' }),
  last_at: Type.String({ format: 'date-time', description: 'end of the newest minute with a sample' }),
  stale: Type.Boolean({ description: 'no sample for over 3 minutes: `cpu` is the last value, not the current one' }),
});

export const IncidentTile = Type.Object({
  number: Type.String(),
  title: Type.String(),
  title_en: Type.String({ description: 'the English title (alert tickets); else the title as written' }),
  environment: Type.String(),
  severity: Type.String(),
  status: Type.String(),
  age_s: Type.Integer(),
  acknowledgedBy: S,
});

export const MaintenanceTile = Type.Object({
  id: Type.String(),
  name: Type.String(),
  environments: Type.Array(Type.String()),
  targets: Type.Array(Type.String()),
  end: Type.String(),
  message: Type.Object({ ja: Type.String(), en: Type.String() }),
});

export const WallDocument = Type.Object({
  time: Type.String(),
  timezone: Type.String(),
  environments: Type.Array(Type.Object({ name: Type.String(), production: Type.Boolean() })),
  counts: Type.Object({ ok: Type.Integer(), slow: Type.Integer(), down: Type.Integer(), maintenance: Type.Integer(), stale: Type.Integer() }, { description: 'targets by state' }),
  targets: Type.Array(TargetTile),
  hosts: Type.Array(HostTile),
  incidents: Type.Array(IncidentTile),
  maintenance: Type.Array(MaintenanceTile),
});

export type TargetTile = Static<typeof TargetTile>;
export type HostTile = Static<typeof HostTile>;
export type WallDocument = Static<typeof WallDocument>;
