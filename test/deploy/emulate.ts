// Runs a Dockerfile's build without Docker, as far as it concerns the app:
// each stage becomes a folder standing for its WORKDIR, COPY copies from the
// repository (through .dockerignore) or from an earlier stage's folder, and
// the RUN steps that build the app (those that start with `npm` or `node`)
// run in that folder with this machine's Node.js 24. System set-up steps
// (accounts, directories outside WORKDIR) are not run and are reported.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { copyArgs, type DockerIgnore, type Stage } from './dockerfile-support.ts';

export interface Emulation {
  /** Stage name → the folder standing for its WORKDIR. */
  dirs: Map<string, string>;
  ran: string[];
  skipped: string[];
}

const WORKDIR = '/app';

function hardlinkCopy(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  execFileSync('cp', ['-al', `${from}/.`, to]);
}

function copyFromContext(root: string, ignore: DockerIgnore, source: string, dest: string): void {
  const abs = path.join(root, source);
  if (!fs.existsSync(abs)) throw new Error(`COPY source ${source} does not exist`);
  if (ignore.ignores(source)) throw new Error(`COPY source ${source} is excluded by .dockerignore`);
  if (fs.statSync(abs).isDirectory()) {
    fs.cpSync(abs, dest, {
      recursive: true,
      preserveTimestamps: true,
      filter: (src) => !ignore.ignores(path.relative(root, src).split(path.sep).join('/')),
    });
  } else {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(abs, dest);
  }
}

/** Where a path inside the image lands: under WORKDIR only. */
function local(stageDir: string, imagePath: string): string {
  const abs = path.posix.isAbsolute(imagePath) ? imagePath : path.posix.join(WORKDIR, imagePath);
  if (abs !== WORKDIR && !abs.startsWith(`${WORKDIR}/`)) throw new Error(`${imagePath} is outside ${WORKDIR}; not emulated`);
  return path.join(stageDir, path.posix.relative(WORKDIR, abs));
}

export function emulateBuild(root: string, stages: Stage[], ignore: DockerIgnore, outDir: string, log: (line: string) => void = () => undefined): Emulation {
  const result: Emulation = { dirs: new Map(), ran: [], skipped: [] };
  // npm works offline here, from the cache the project's own `npm install` filled: a test sends no traffic beyond 127.0.0.1.
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_offline: 'true' };
  for (const stage of stages) {
    const dir = path.join(outDir, stage.name);
    const parent = result.dirs.get(stage.from);
    if (parent) hardlinkCopy(parent, dir);
    else fs.mkdirSync(dir, { recursive: true });
    result.dirs.set(stage.name, dir);
    let workdir: string | undefined = parent ? WORKDIR : undefined;
    for (const ins of stage.instructions.slice(1)) {
      if (ins.keyword === 'WORKDIR') workdir = ins.args;
      if (ins.keyword !== 'COPY' && ins.keyword !== 'RUN') continue;
      if (ins.keyword === 'RUN' && !/^(npm|node)\s/.test(ins.args)) {
        result.skipped.push(`${stage.name}: ${ins.args}`);
        continue;
      }
      if (workdir !== WORKDIR) throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} outside WORKDIR ${WORKDIR} is not emulated`);
      if (ins.keyword === 'COPY') {
        const { sources, dest } = copyArgs(ins);
        const into = dest.endsWith('/') || sources.length > 1;
        for (const source of sources) {
          if (ins.flags.from) {
            const fromDir = result.dirs.get(ins.flags.from);
            if (!fromDir) throw new Error(`Dockerfile line ${ins.line}: COPY --from=${ins.flags.from} names no earlier stage`);
            const src = local(fromDir, source);
            if (!fs.existsSync(src)) throw new Error(`Dockerfile line ${ins.line}: ${source} does not exist in stage ${ins.flags.from}`);
            const target = local(dir, into ? path.posix.join(dest, path.posix.basename(source)) : dest);
            if (fs.statSync(src).isDirectory()) hardlinkCopy(src, target);
            else fs.copyFileSync(src, target);
          } else {
            copyFromContext(root, ignore, source, local(dir, into ? path.posix.join(dest, path.posix.basename(source)) : dest));
          }
        }
        continue;
      }
      log(`${stage.name}: RUN ${ins.args}`);
      execFileSync('bash', ['-c', ins.args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
      result.ran.push(`${stage.name}: ${ins.args}`);
    }
  }
  return result;
}
