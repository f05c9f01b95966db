import { gzipSync } from 'node:zlib';
import { listSetAside } from '../../server/storage/set-aside.ts';
import { raw, sql } from '../../server/storage/sql.ts';
import type { TestRuntime } from '../helpers/runtime.ts';
import { generateBatch, rng, type Kind } from './generator.ts';
import { compareRows, expectedRows, storedRows, type Row } from './oracle.ts';

export interface FuzzResult {
  batches: number;
  accepted: number;
  refused: number;
  rows: number;
  failures: string[];
}

const KINDS: Kind[] = ['logs', 'metrics', 'probes'];

/**
 * The differential property, against the real engine: every generated
 * batch is either refused with a 4xx and leaves nothing behind, or answered
 * 2xx and every one of its rows is stored exactly once, byte for byte as
 * the oracle expects, with nothing set aside. Checked round by round.
 */
export async function runDifferential(rt: TestRuntime, options: { seed: number; batches: number; roundSize?: number; onRound?: (done: number, result: FuzzResult) => void }): Promise<FuzzResult> {
  const r = rng(options.seed);
  const roundSize = options.roundSize ?? 250;
  const result: FuzzResult = { batches: 0, accepted: 0, refused: 0, rows: 0, failures: [] };
  for (let round = 0; result.batches < options.batches && result.failures.length === 0; round++) {
    const expected: Record<Kind, Row[]> = { logs: [], metrics: [], probes: [] };
    const sent: string[] = [];
    for (let i = 0; i < roundSize && result.batches < options.batches; i++, result.batches++) {
      const batch = generateBatch(r, `fz${round}x${i}`, Date.now());
      const describe = () => `seed ${options.seed}, batch ${result.batches} (${batch.kind}, ${batch.contentType}${batch.gzip ? ', gzip' : ''}; ${batch.mutations.join('; ') || 'no mutation'}): ${JSON.stringify(batch.body.toString('utf8').slice(0, 300))}`;
      const response = await rt.app.inject({
        method: 'POST',
        url: `/api/v1/ingest/${batch.kind}`,
        headers: { ...rt.auth, 'content-type': batch.contentType, ...(batch.gzip ? { 'content-encoding': 'gzip' } : {}) },
        payload: batch.gzip ? gzipSync(batch.body) : batch.body,
      });
      if (response.statusCode === 200) {
        const rows = expectedRows(batch.kind, batch.body, batch.contentType);
        if (response.json().accepted !== rows.length) result.failures.push(`accepted ${response.json().accepted} rows, the oracle counts ${rows.length}: ${describe()}`);
        expected[batch.kind].push(...rows);
        result.accepted++;
        result.rows += rows.length;
        sent.push(describe());
      } else if (response.statusCode >= 400 && response.statusCode < 500) {
        result.refused++;
      } else {
        result.failures.push(`answered ${response.statusCode} ${response.body.slice(0, 200)}: ${describe()}`);
      }
    }
    await rt.writer.flush();
    const setAside = await listSetAside(rt.dataDir);
    for (const f of setAside) result.failures.push(`the engine refused an accepted request (${f.reason}): ${f.file}`);
    for (const kind of KINDS) {
      const differences = compareRows(expected[kind], await storedRows(rt.storage, kind));
      if (differences.length) result.failures.push(`${kind}, round ${round}: ${differences.slice(0, 5).join('\n  ')}\n  accepted batches of this round include:\n  ${sent.filter((s) => s.includes(`(${kind},`)).slice(0, 5).join('\n  ')}`);
      await rt.storage.command(sql`TRUNCATE TABLE ${raw(kind)}`);
    }
    options.onRound?.(result.batches, result);
  }
  return result;
}
