import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { runDifferential } from './differential.ts';

// The suite's share of the differential fuzz (npm run fuzz runs 100,000).
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const BATCHES = Number(process.env.FUZZ_BATCHES ?? 5000);

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt.close());

describe('ingest judge vs the engine (differential fuzz)', () => {
  it(`${BATCHES} generated and mutated batches: each refused with a 4xx and nothing stored, or stored exactly once as accepted`, async () => {
    const result = await runDifferential(rt, { seed: SEED, batches: BATCHES });
    expect(result.failures, `seed ${SEED}`).toEqual([]);
    expect(result.batches).toBe(BATCHES);
    // The generator must exercise both outcomes, or the property proves little.
    expect(result.accepted).toBeGreaterThan(BATCHES * 0.3);
    expect(result.refused).toBeGreaterThan(BATCHES * 0.1);
  }, 120_000);
});
