// A parser for the Prometheus text exposition format (version 0.0.4), as
// node_exporter and prom-client write it. No npm parser handles prom-client's
// histograms correctly (STACK.md); the format is small and well specified.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

export class PromParseError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

export function parsePromText(text: string): MetricFamily[] {
  const families = new Map<string, MetricFamily>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (!m) return; // an ordinary comment
      const f = family(m[2]!);
      if (m[1] === 'HELP') f.help = unescapeHelp(m[3] ?? '');
      else f.type = (['counter', 'gauge', 'histogram', 'summary'].includes(m[3] ?? '') ? m[3] : 'untyped') as MetricFamily['type'];
      return;
    }
    const sample = parseSample(line, i + 1);
    const base = SUFFIXES.map((s) => (sample.name.endsWith(s) ? sample.name.slice(0, -s.length) : undefined)).find((b) => b !== undefined && families.has(b));
    family(base ?? sample.name).samples.push(sample);
  });
  return [...families.values()].filter((f) => f.samples.length > 0);
}

function parseSample(line: string, lineNo: number): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!m) throw new PromParseError(lineNo, 'expected a metric name');
  const name = m[1]!;
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      while (line[pos] === ' ' || line[pos] === ',') pos++;
      if (line[pos] === '}') {
        pos++;
        break;
      }
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(pos));
      if (!label) throw new PromParseError(lineNo, `bad label at column ${pos + 1}`);
      pos += label[0].length;
      let value = '';
      for (; pos < line.length && line[pos] !== '"'; pos++) {
        if (line[pos] === '\\') {
          const next = line[++pos];
          value += next === 'n' ? '\n' : next === '\\' ? '\\' : next === '"' ? '"' : `\\${next}`;
        } else value += line[pos];
      }
      if (line[pos] !== '"') throw new PromParseError(lineNo, 'unterminated label value');
      pos++;
      labels[label[1]!] = value;
    }
  }
  const [valueText, timestampText] = line.slice(pos).trim().split(/\s+/);
  if (valueText === undefined || valueText === '') throw new PromParseError(lineNo, 'missing value');
  const value = parseValue(valueText);
  if (Number.isNaN(value) && !/^nan$/i.test(valueText)) throw new PromParseError(lineNo, `bad value "${valueText}"`);
  return { name, labels, value, ...(timestampText ? { timestamp: Number(timestampText) } : {}) };
}

function parseValue(text: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}
