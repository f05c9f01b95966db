import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfigText, type Config } from '../../server/config/load.ts';
import { openRuntime, type Runtime } from '../../server/runtime.ts';
import { readOrCreateLocalToken } from '../../server/ingest/tokens.ts';

export function tempDir(prefix = 'mimamori-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testConfig(yaml = '', env: NodeJS.ProcessEnv = {}): Config {
  return parseConfigText(yaml, 'test.yaml', env);
}

export interface TestRuntime extends Runtime {
  dataDir: string;
  token: string;
  auth: { authorization: string };
}

/** A real runtime (real chDB) in its own data directory; no network listener. */
export async function openTestRuntime(options: { dataDir?: string; yaml?: string; env?: NodeJS.ProcessEnv; now?: () => number } = {}): Promise<TestRuntime> {
  const dataDir = options.dataDir ?? tempDir();
  const env = options.env ?? {};
  const runtime = await openRuntime({ config: testConfig(options.yaml, env), dataDir, env, logger: false, now: options.now });
  const token = readOrCreateLocalToken(dataDir);
  return Object.assign(runtime, { dataDir, token, auth: { authorization: `Bearer ${token}` } });
}
