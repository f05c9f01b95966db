#!/usr/bin/env node
// The `mimamori` command. The agent runs from a plain-JavaScript bundle
// (small footprint on monitored hosts); everything else runs the
// TypeScript sources through tsx, so the package needs no build step.
import { ensureSupportedRuntime } from './runtime.js';

await ensureSupportedRuntime();
if (process.argv[2] === 'agent') {
  // A small young generation keeps the agent's memory near its working set
  // on the monitored host (it allocates fast but keeps little).
  const v8 = await import('node:v8');
  v8.setFlagsFromString('--max-semi-space-size=2');
  const { buildAgent } = await import('./build-agent.js');
  await import(await buildAgent());
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../server/cli.ts');
}
