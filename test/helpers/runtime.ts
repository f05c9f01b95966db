import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfigText, type Config } from '../../server/config/load.ts';
import { openRuntime, type Runtime } from '../../server/runtime.ts';
import { readOrCreateLocalToken } from '../../server/ingest/tokens.ts';
import { LOCAL_ADMIN_FILE } from '../../server/auth/actors.ts';

export function tempDir(prefix = 'mimamori-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testConfig(yaml = '', env: NodeJS.ProcessEnv = {}): Config {
  return parseConfigText(yaml, 'test.yaml', env);
}

export interface TestRuntime extends Runtime {
  dataDir: string;
  token: string;
  /** The local ingest token, for /api/v1/ingest. */
  auth: { authorization: string };
  /** The local admin key, for every other route. */
  admin: { authorization: string };
}

/** A real runtime (real chDB) in its own data directory; no network listener. */
export async function openTestRuntime(options: { dataDir?: string; yaml?: string; env?: NodeJS.ProcessEnv; now?: () => number } = {}): Promise<TestRuntime> {
  const dataDir = options.dataDir ?? tempDir();
  const env = options.env ?? {};
  const runtime = await openRuntime({ config: testConfig(options.yaml, env), dataDir, env, logger: false, now: options.now });
  const token = readOrCreateLocalToken(dataDir);
  const adminKey = fs.readFileSync(path.join(dataDir, LOCAL_ADMIN_FILE), 'utf8').trim();
  return Object.assign(runtime, { dataDir, token, auth: { authorization: `Bearer ${token}` }, admin: { authorization: `Bearer ${adminKey}` } });
}
