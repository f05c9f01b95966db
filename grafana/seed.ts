// Rows with answers worked out by hand, for boards.test.ts. They go into the
// raw tables; the materialized views fill the rollups the boards read.
// Times are Asia/Tokyo (UTC+9), the boards' zone; "now" is 30 November 2026 00:00.
import type { Storage } from '../server/storage/client.ts';
import { sql, ts, typed } from '../server/storage/sql.ts';

export const jst = (wall: string) => Date.parse(`${wall}+09:00`);
export const NOW = jst('2026-11-30T00:00');
export const TOKYO_OFFSET_MS = 9 * 3_600_000;
/** The day most rows fall on: the last 24 hours before now. */
export const DAY = { from: jst('2026-11-29T00:00'), to: NOW };

/** `minutes` probes, one a minute from `start`, all with the same answer. */
async function probes(storage: Storage, environment: string, target: string, start: string, minutes: number, ok: boolean, totalMs: number) {
  await storage.command(sql`
    INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms)
    SELECT ${ts(jst(start))} + toIntervalMinute(number), ${environment}, ${target}, 'https://example.jp/', ${typed(ok ? 1 : 0, 'Bool')}, ${typed(ok ? 200 : 0, 'UInt16')}, ${typed(totalMs, 'Float64')}
    FROM numbers(${typed(minutes, 'UInt32')})`);
}

/** `samples` CPU samples, one a minute from `start`. */
async function cpu(storage: Storage, environment: string, host: string, core: string, start: string, samples: number, percent: number) {
  await storage.command(sql`
    INSERT INTO metrics (timestamp, environment, host, name, labels, value)
    SELECT ${ts(jst(start))} + toIntervalMinute(number), ${environment}, ${host}, 'cpu_utilisation_percent', map('cpu', ${core}), ${typed(percent, 'Float64')}
    FROM numbers(${typed(samples, 'UInt32')})`);
}

async function logLines(storage: Storage, environment: string, host: string, service: string, level: string, at: string, count: number) {
  await storage.command(sql`
    INSERT INTO logs (timestamp, environment, host, service, level, message)
    SELECT ${ts(jst(at))} + toIntervalSecond(number), ${environment}, ${host}, ${service}, ${level}, 'something happened'
    FROM numbers(${typed(count, 'UInt32')})`);
}

export async function seed(storage: Storage): Promise<void> {
  // portal on 29 November: 1,000 probes from 00:00, 4 failed, then 3 answered in 6 s, then 993 in 200 ms.
  //   answered within 5 s 993/1000 = 0.993; bad 7 of the 10 a 99 % objective allows: budget remaining 0.3.
  await probes(storage, 'production', 'portal', '2026-11-29T00:00', 4, false, 30_000);
  await probes(storage, 'production', 'portal', '2026-11-29T00:04', 3, true, 6000);
  await probes(storage, 'production', 'portal', '2026-11-29T00:07', 993, true, 200);
  // api: 500 probes in 100 ms the same morning.
  await probes(storage, 'production', 'api', '2026-11-29T00:00', 500, true, 100);
  // 60 failed at 00:00 on 1 November in Tokyo: 31 October in UTC, so November only if months are Tokyo's.
  await probes(storage, 'production', 'portal', '2026-11-01T00:00', 60, false, 30_000);
  // October: 600 good probes.
  await probes(storage, 'production', 'portal', '2026-10-15T09:00', 600, true, 200);
  // Another environment, all failed: must never show in production's figures.
  await probes(storage, 'staging', 'portal', '2026-11-29T00:00', 100, false, 30_000);

  // db-1, 20 November 10:00: 50 samples at 50 % and 10 at 80 % (mean 55, p95 80); a core at 99 % that the
  // all-core panels must not read. web-1: 60 at 40 %. October: db-1 at 30 %.
  await cpu(storage, 'production', 'db-1', 'total', '2026-11-20T10:00', 50, 50);
  await cpu(storage, 'production', 'db-1', 'total', '2026-11-20T10:50', 10, 80);
  await cpu(storage, 'production', 'db-1', '0', '2026-11-20T10:00', 60, 99);
  await cpu(storage, 'production', 'web-1', 'total', '2026-11-20T10:00', 60, 40);
  await cpu(storage, 'production', 'db-1', 'total', '2026-10-15T10:00', 60, 30);
  await cpu(storage, 'staging', 'stg-1', 'total', '2026-11-20T10:00', 60, 95);

  // 29 November: api 5 errors (web-1); web 2 errors, 1 fatal, 3 warnings (web-2); info lines that are not errors.
  // October: api 4 errors. Staging: 7 errors that production must not count.
  await logLines(storage, 'production', 'web-1', 'api', 'error', '2026-11-29T10:00', 5);
  await logLines(storage, 'production', 'web-2', 'web', 'error', '2026-11-29T11:00', 2);
  await logLines(storage, 'production', 'web-2', 'web', 'fatal', '2026-11-29T11:30', 1);
  await logLines(storage, 'production', 'web-2', 'web', 'warn', '2026-11-29T12:00', 3);
  await logLines(storage, 'production', 'web-1', 'api', 'info', '2026-11-29T12:00', 10);
  await logLines(storage, 'production', 'web-1', 'api', 'error', '2026-10-20T10:00', 4);
  await logLines(storage, 'staging', 'stg-1', 'api', 'error', '2026-11-29T10:00', 7);
}
