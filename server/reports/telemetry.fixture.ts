import type { Storage } from '../storage/client.ts';
import { sql, ts, typed } from '../storage/sql.ts';

// Rows the report tests seed straight into the tables (production, one a
// minute or a second from `start`), so each test states only what differs.

/** `minutes` probes, one a minute from `start`, all with the same answer. */
export async function seedProbes(storage: Storage, target: string, start: number, minutes: number, ok = true, totalMs = 200): Promise<void> {
  await storage.command(sql`
    INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms)
    SELECT ${ts(start)} + toIntervalMinute(number), 'production', ${target}, 'https://example.jp/', ${typed(ok ? 1 : 0, 'Bool')}, ${typed(ok ? 200 : 0, 'UInt16')}, ${typed(totalMs, 'Float64')}
    FROM numbers(${typed(minutes, 'UInt32')})`);
}

/** `minutes` all-core CPU samples, one a minute from `start`. */
export async function seedCpu(storage: Storage, host: string, start: number, minutes: number, percent: number): Promise<void> {
  await storage.command(sql`
    INSERT INTO metrics (timestamp, environment, host, name, labels, value)
    SELECT ${ts(start)} + toIntervalMinute(number), 'production', ${host}, 'cpu_utilisation_percent', map('cpu', 'total'), ${typed(percent, 'Float64')}
    FROM numbers(${typed(minutes, 'UInt32')})`);
}

/** `count` log lines on web-1, one a second from `at`. */
export async function seedLogLines(storage: Storage, service: string, level: string, at: number, count: number, message = 'something failed'): Promise<void> {
  await storage.command(sql`
    INSERT INTO logs (timestamp, environment, host, service, level, message)
    SELECT ${ts(at)} + toIntervalSecond(number), 'production', 'web-1', ${service}, ${level}, ${message} FROM numbers(${typed(count, 'UInt32')})`);
}
