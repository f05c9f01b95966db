import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from './client.ts';
import { tempDir } from '../../test/helpers/runtime.ts';

// No ClickHouse server runs here, so this checks the exact HTTP requests
// that remote mode (CLICKHOUSE_URL, CLICKHOUSE_CLUSTER) sends, against a
// recording stand-in on 127.0.0.1 that answers every request with no rows.
interface Seen {
  params: URLSearchParams;
  body: string;
}
const seen: Seen[] = [];
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      seen.push({ params: new URL(req.url!, 'http://x').searchParams, body: body.toString() });
      res.writeHead(200, { 'content-type': 'text/plain', 'x-clickhouse-summary': '{}' }).end('');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://mimamori:secret@127.0.0.1:${(server.address() as { port: number }).port}/mimamori`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const statement = (s: Seen) => s.params.get('query') ?? s.body;

describe('remote ClickHouse wire format', () => {
  it('migrates a cluster with ON CLUSTER, Replicated engines and Distributed tables, and streams segments to <table>_ingest', async () => {
    const storage = await openStorage({ dataDir: tempDir(), clickhouseUrl: url, cluster: 'prod_cluster', log: () => undefined });
    const ddl = seen.map(statement).filter((q) => /^CREATE/.test(q));
    expect(ddl.some((q) => q.includes('CREATE TABLE IF NOT EXISTS logs_local ON CLUSTER prod_cluster') && q.includes("ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/logs_local', '{replica}')"))).toBe(true);
    expect(ddl.some((q) => q.includes('CREATE TABLE IF NOT EXISTS logs_ingest ON CLUSTER prod_cluster AS logs_ingest_local ENGINE = Distributed(prod_cluster, currentDatabase(), logs_ingest_local, rand())'))).toBe(true);
    expect(ddl.some((q) => /CREATE MATERIALIZED VIEW IF NOT EXISTS probes_1m_mv ON CLUSTER prod_cluster TO probes_1m_local/.test(q))).toBe(true);
    expect(seen.every((s) => s.params.get('database') === 'mimamori')).toBe(true);

    seen.length = 0;
    const segment = path.join(tempDir(), 'seg.ndjson');
    const bytes = '{"timestamp":"2026-11-26T00:00:00Z","environment":"production","message":"a"}\n{"timestamp":1,"environment":"production","message":"b"}\n';
    fs.writeFileSync(segment, bytes);
    await storage.loadSegment('logs', segment, 'logs-0001');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.params.get('query')).toBe('INSERT INTO logs_ingest FORMAT JSONEachRow');
    expect(seen[0]!.params.get('insert_deduplication_token')).toBe('logs-0001');
    expect(seen[0]!.params.get('deduplicate_blocks_in_dependent_materialized_views')).toBe('1');
    expect(seen[0]!.params.get('distributed_foreground_insert')).toBe('1');
    expect(seen[0]!.body).toBe(bytes);
    await storage.close();
  });
});
