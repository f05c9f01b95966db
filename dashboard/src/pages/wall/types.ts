// The document GET /api/v1/wall and its stream send (server/live/schemas.ts).
export type TileState = 'ok' | 'slow' | 'down' | 'maintenance' | 'stale';

export interface TargetTile {
  environment: string;
  target: string;
  state: TileState;
  last_ms: number | null;
  last_ok: boolean | null;
  last_status: number | null;
  last_error: string | null;
  last_at: string | null;
  p95_1h_ms: number | null;
  availability_today: number | null;
  alerts: string[];
}

export interface HostTile {
  environment: string;
  host: string;
  cpu: number | null;
  threshold: number;
  spark: (number | null)[];
  last_at: string;
  /** No sample for over 3 minutes: `cpu` is the last value, not the current one. */
  stale: boolean;
}

export interface IncidentTile {
  number: string;
  title: string;
  title_en: string;
  environment: string;
  severity: string;
  status: string;
  age_s: number;
  acknowledgedBy: string | null;
}

export interface WallDocument {
  time: string;
  timezone: string;
  environments: { name: string; production: boolean }[];
  counts: Record<TileState, number>;
  targets: TargetTile[];
  hosts: HostTile[];
  incidents: IncidentTile[];
  maintenance: { id: string; name: string; environments: string[]; targets: string[]; end: string; message: { ja: string; en: string } }[];
}
