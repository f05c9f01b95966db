import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { generateBatch, rng } from '../../test/fuzz/generator.ts';
import { isPlainLogLine } from './plain-log-line.ts';
import { validateNdjson, type ValidationContext } from './validate.ts';

const NOW = Date.now();
const ctx: ValidationContext = { environments: new Set(['production', 'staging']), maxLineBytes: 1 << 20, maxRows: 10_000, now: NOW, retentionDays: 90, keepRecords: false };

/** The full judge on one line: what it stores, or undefined when it refuses. Keeping records takes the full path. */
function fullJudge(line: string): string | undefined {
  try {
    return validateNdjson('logs', Buffer.from(line), { ...ctx, keepRecords: true }).ndjson.toString();
  } catch {
    return undefined;
  }
}

const plain = (line: string) => {
  const b = Buffer.from(line);
  return isPlainLogLine(b, 0, b.length, ctx);
};

const iso = new Date(NOW - 60_000).toISOString();
const base = { timestamp: iso, environment: 'production', host: 'web-1', service: 'portal', level: 'error', message: 'upstream timed out', attributes: { request_id: 'r1', status: 502, cached: false } };

describe('the plain lane for log lines', () => {
  it('takes what agents write: JSON.stringify of a valid record, with text or epoch-ms times, escapes, Japanese, empty maps', () => {
    const lines = [
      base,
      { ...base, timestamp: NOW - 1000 },
      { ...base, message: 'line "quoted"\\ with\ttab\nand newline 日本語のログ 😀' },
      { ...base, attributes: {} },
      { timestamp: iso, environment: 'staging', message: '' },
    ].map((r) => JSON.stringify(r));
    for (const line of lines) {
      expect(plain(line), line).toBe(true);
      expect(fullJudge(line), line).toBe(`${line}\n`);
    }
  });

  it('leaves to the full judge every spelling it does not certainly accept as written', () => {
    const doubtful = [
      JSON.stringify(base).replace('{', '{ '), // whitespace
      JSON.stringify({ ...base, timestamp: iso.replace('T', 't') }), // rewritten to upper case
      JSON.stringify({ ...base, attributes: { '1': 'a', b: 'c' } }), // index-like key: JavaScript reorders it
      `{"timestamp":"${iso}","environment":"production","message":"a","message":"b"}`, // repeated field
      `{"timestamp":"${iso}","environment":"production","message":"a","attributes":{"k":"x","k":"y"}}`, // repeated key
      `{"timestamp":"${iso}","environment":"production","message":"\\u00e9"}`, // \u escape
      `{"timestamp":"${iso}","environment":"production","message":"a\\/b"}`, // \/ escape
      `{"timestamp":"${iso}","environment":"production","message":"a\tb"}`, // raw control character
      `{"timestamp":${NOW}.0,"environment":"production","message":"a"}`, // number spelling
      `{"timestamp":"${iso}","environment":"production","message":"a","attributes":{"n":-0}}`,
      `{"timestamp":"${iso}","environment":"production","message":"a","attributes":{"n":1.5}}`,
      `{"timestamp":"${iso}","environment":"production","message":"a","attributes":{"n":1234567890123456}}`,
      `{"timestamp":"${iso}","environment":"production","message":"a","attributes":{"n":null}}`,
      `{"timestamp":"${iso}","environment":"elsewhere","message":"a"}`, // unknown environment
      `{"timestamp":"${iso}","environment":"production"}`, // no message
      `{"timestamp":"1999-12-31T23:59:59Z","environment":"production","message":"a"}`, // too old
      `{"timestamp":"${iso}","environment":"production","message":"a","extra":1}`,
      `{"timestamp":"${iso}","environment":"production","message":"a"}\r`,
      `{"timestamp":"${iso}","environment":"production","message":"a","level":"${'e'.repeat(17)}"}`,
    ];
    for (const line of doubtful) expect(plain(line), line).toBe(false);
  });

  it('at the edges of the schema it agrees with the full judge or leaves the line to it', () => {
    const line = (fields: string) => `{"timestamp":"${iso}","environment":"production","message":"m"${fields}}`;
    const map = (n: number) => `,"attributes":{${Array.from({ length: n }, (_, i) => `"k${i}":"v"`).join(',')}}`;
    const edges = [
      line(',"attributes":{"a\\nb":"x"}'),
      line(',"attributes":{"a\\"b":"x","a\\\\b":"y","a\\tb":true}'),
      line(',"attributes":{"":"empty key"}'),
      line(`,"attributes":{"${'k'.repeat(128)}":"v"}`),
      line(`,"attributes":{"${'k'.repeat(129)}":"v"}`),
      line(`,"attributes":{"k":"${'v'.repeat(8192)}"}`),
      line(`,"attributes":{"k":"${'v'.repeat(8193)}"}`),
      line(map(64)),
      line(map(65)),
      line(`,"level":"${'e'.repeat(16)}"`),
      line(`,"host":"${'h'.repeat(256)}"`),
      line(`,"host":"${'日'.repeat(85)}"`),
      line(',"message":"DEL \u007f and \u2028"'),
      `{"timestamp":"${iso.replace('Z', '+09:00')}","environment":"production","message":"m"}`,
      `{"timestamp":"${iso.replace('T', ' ')}","environment":"production","message":"m"}`,
      `{"timestamp":"${iso.replace('Z', '123456Z')}","environment":"production","message":"m"}`,
      `{"timestamp":${NOW - 5},"environment":"production","message":"m","attributes":{"n":-123456789012345,"z":0}}`,
      `{"timestamp":"${iso}","environment":"produc\\tion","message":"m"}`,
    ];
    for (const edge of edges) if (plain(edge)) expect(fullJudge(edge), edge).toBe(`${edge}\n`);
    expect(edges.filter(plain).length).toBeGreaterThan(8);
  });

  it('never accepts what the full judge refuses or would store differently (50,000 generated and mutated lines)', () => {
    const r = rng(20261201);
    let accepted = 0;
    let lanes = 0;
    let lines = 0;
    for (let batch = 0; lines < 50_000; batch++) {
      const { kind, body } = generateBatch(r, `b${batch}`, NOW);
      if (kind !== 'logs' || !isUtf8(body)) continue;
      for (const line of body.toString().split('\n')) {
        if (!line) continue;
        lines++;
        const stored = fullJudge(line);
        if (stored === `${line}\n`) accepted++;
        if (plain(line)) {
          lanes++;
          expect(stored, line).toBe(`${line}\n`);
        }
      }
    }
    // The lane must carry most of what is accepted as written, or it saves nothing.
    expect(lanes).toBeGreaterThan(accepted * 0.8);
  });

  it('a batch mixing plain lines, rewritten lines and a refused line is judged as before: refused whole, naming the line', () => {
    const good = JSON.stringify(base);
    const rewritten = JSON.stringify({ ...base, timestamp: iso.replace('Z', 'z') });
    const body = Buffer.from(`${good}\n${rewritten}\n${good}\n`);
    const batch = validateNdjson('logs', body, ctx);
    expect(batch.rows).toBe(3);
    expect(batch.ndjson.toString()).toBe(`${good}\n${rewritten.replace('z"', 'Z"')}\n${good}\n`);
    const bad = Buffer.from(`${good}\n{"timestamp":"${iso}","environment":"nowhere","message":"x"}\n`);
    expect(() => validateNdjson('logs', bad, ctx)).toThrow(/line 2, field "environment"/);
  });
});
