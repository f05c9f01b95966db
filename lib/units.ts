// Durations ("200ms", "30s", "5m", "1h", "90d") and sizes ("64KiB", "32MiB")
// as people write them in YAML, turned into milliseconds and bytes.

const DURATION_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SIZE_BYTES: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)\\s*$';
export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG]i?[bB]|[bB])?\\s*$';

export function parseDurationMs(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (!match) throw new Error(`not a duration: "${text}" (use e.g. 200ms, 30s, 5m, 1h, 90d)`);
  return Math.round(Number(match[1]) * DURATION_MS[match[2]!]!);
}

export function parseSizeBytes(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]i?[bB]|[bB])?\s*$/.exec(value);
  if (!match) throw new Error(`not a size: "${value}" (use e.g. 65536, 64KiB, 32MiB)`);
  return Math.round(Number(match[1]) * SIZE_BYTES[(match[2] ?? 'b').toLowerCase()]!);
}
