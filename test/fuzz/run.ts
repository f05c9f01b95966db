// `npm run fuzz [-- --batches N --seed S]`: the long run of the differential
// ingest fuzz (default 100,000 batches, a random seed). Prints progress, and
// the seed with every failure so the run can be repeated exactly.
import { parseArgs } from 'node:util';
import { openTestRuntime } from '../helpers/runtime.ts';
import { runDifferential } from './differential.ts';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '100000' }, seed: { type: 'string' } } });
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const batches = Number(values.batches);
process.stderr.write(`fuzzing ingest with seed ${seed}, ${batches} batches (repeat with: npm run fuzz -- --seed ${seed} --batches ${batches})\n`);
const rt = await openTestRuntime();
const started = Date.now();
const result = await runDifferential(rt, {
  seed,
  batches,
  roundSize: 500,
  onRound: (done, r) => process.stderr.write(`\r${done}/${batches} batches (${r.accepted} accepted, ${r.refused} refused, ${r.rows} rows stored and checked), ${Math.round(done / ((Date.now() - started) / 1000))} batches/s`),
});
await rt.close();
process.stderr.write('\n');
if (result.failures.length) {
  process.stderr.write(`FAILED with seed ${seed}:\n${result.failures.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ fuzz: 'ingest', seed, ...result, failures: 0, seconds: (Date.now() - started) / 1000 })}\n`);
