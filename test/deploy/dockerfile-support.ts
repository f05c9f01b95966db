// A small Dockerfile reader for test/deploy: stages and instructions (line
// continuations, comments, flags, exec form), .dockerignore matching as
// Docker does it (patterns anchored at the context root, `**` across
// directories, a match on a directory covers what is inside, `!` re-includes),
// and the import closure of the files the image runs.
import fs from 'node:fs';
import path from 'node:path';

export interface Instruction {
  keyword: string;
  /** --name=value flags given before the arguments (RUN --mount, COPY --from, HEALTHCHECK --interval …). */
  flags: Record<string, string>;
  /** The rest of the instruction, continuations joined. */
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = i + 1;
    let logical = lines[i]!;
    if (/^\s*(#|$)/.test(logical)) continue;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue; // comment lines inside a continuation are dropped, as Docker does
      logical = logical.replace(/\\\s*$/, ' ') + next.trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(logical);
    if (!m) throw new Error(`Dockerfile line ${first}: cannot read "${logical}"`);
    const keyword = m[1]!.toUpperCase();
    let rest = m[2]!.trim();
    const flags: Record<string, string> = {};
    for (let f = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(rest); f; f = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(rest)) {
      flags[f[1]!] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
    const instruction: Instruction = { keyword, flags, args: rest, line: first };
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!from) throw new Error(`Dockerfile line ${first}: FROM ${rest}`);
      stages.push({ name: from[2] ?? String(stages.length), from: from[1]!, instructions: [instruction] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile line ${first}: ${keyword} before any FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** The JSON array of an exec-form instruction (CMD ["a", "b"]), else undefined. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed as string[];
}

/** ENV k=v k2=v2 (and the old ENV k v form) of one stage, in order. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    if (!ins.args.includes('=')) {
      const [k, ...v] = ins.args.split(/\s+/);
      env[k!] = v.join(' ');
      continue;
    }
    for (const m of ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) env[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
  }
  return env;
}

/** COPY's sources and destination (shell form, or exec form for names with spaces). */
export function copyArgs(ins: Instruction): { sources: string[]; dest: string } {
  const parts = execForm(ins.args) ?? ins.args.split(/\s+/).filter(Boolean);
  if (parts.length < 2) throw new Error(`Dockerfile line ${ins.line}: COPY needs a source and a destination`);
  return { sources: parts.slice(0, -1), dest: parts.at(-1)! };
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of directories, including none; a trailing `**` anything.
      if (pattern[i + 2] === '/') { re += '(?:.*/)?'; i += 2; } else { re += '.*'; i += 1; }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export class DockerIgnore {
  private readonly rules: { exclude: boolean; re: RegExp }[];
  constructor(text: string) {
    this.rules = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const exclude = !l.startsWith('!');
        const pattern = path.posix.normalize((exclude ? l : l.slice(1)).replace(/^\/+/, '')).replace(/\/$/, '');
        return { exclude, re: globToRegExp(pattern) };
      });
  }

  /** Whether a path (relative to the context root, with /) is left out of the build context. */
  ignores(relative: string): boolean {
    const parts = relative.split('/');
    let ignored = false;
    for (const rule of this.rules) {
      // A pattern that matches a parent directory covers the path too.
      const hit = parts.some((_p, i) => rule.re.test(parts.slice(0, i + 1).join('/')));
      if (hit) ignored = rule.exclude;
    }
    return ignored;
  }
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]|new URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g;

/**
 * Repository files reached from the entry files through relative imports
 * (static, dynamic with a literal, `new URL('./x', import.meta.url)`).
 * Imports computed at run time cannot be followed; the test names those
 * entries itself.
 */
export function importClosure(root: string, entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = entries.map((e) => path.resolve(root, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (seen.has(rel)) continue;
    if (!fs.existsSync(file)) throw new Error(`${rel} is imported but does not exist`);
    seen.add(rel);
    const text = fs.readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(IMPORT)) queue.push(path.resolve(path.dirname(file), m[1] ?? m[2]!));
  }
  return seen;
}
