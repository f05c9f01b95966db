import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import type { Compile } from 'typebox/compile';
import { ConfigError } from './errors.ts';

export { ConfigError };

export type LineOf = (pathParts: (string | number)[]) => number | undefined;

/**
 * Parses YAML and checks it against a compiled schema; any problem becomes a
 * ConfigError naming file, line and key. Used by the server's and the
 * agent's configuration files alike.
 */
export function parseYaml(text: string, file: string, checker: ReturnType<typeof Compile>): { data: unknown; lineOf: LineOf } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) throw new ConfigError(file, syntax.linePos?.[0].line, syntax.message.split('\n')[0]!);
  const data: unknown = doc.toJS() ?? {};
  const lineOf: LineOf = (pathParts) => lineOfPath(doc, lineCounter, pathParts);
  if (!checker.Check(data)) {
    const errors = [...checker.Errors(data)];
    const toParts = (p: string) => p.split('/').slice(1).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
    // An unknown key shows up as "schema is false" at the key's own path.
    const unknown = errors.find((e) => e.keyword === 'boolean' && e.schemaPath.endsWith('/additionalProperties'));
    if (unknown) {
      const where = toParts(unknown.instancePath);
      throw new ConfigError(file, lineOf(where), `${where.join('.')}: unknown key "${where[where.length - 1]}"`);
    }
    const first = errors.sort((a, b) => b.instancePath.length - a.instancePath.length)[0]!;
    const missing = (first.params as { requiredProperties?: string[] }).requiredProperties?.[0];
    const where = [...toParts(first.instancePath), ...(missing ? [missing] : [])];
    throw new ConfigError(file, lineOf(where), `${where.join('.') || '(top level)'}: ${missing ? 'required key is missing' : first.message}`);
  }
  return { data, lineOf };
}

/** 1-based line of the deepest YAML node along the path (for a map entry, the line of its key). */
function lineOfPath(doc: Document, counter: LineCounter, parts: (string | number)[]): number | undefined {
  for (let n = parts.length; n >= 0; n--) {
    const parent = n === 0 ? undefined : n === 1 ? doc.contents : doc.getIn(parts.slice(0, n - 1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === parts[n - 1]);
      if (pair && isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
    }
    const node = n === 0 ? doc.contents : doc.getIn(parts.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}
