import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePromText, PromParseError } from './prom-text.ts';

const corpus = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'testdata', name), 'utf8');

describe('Prometheus text parser', () => {
  it('reads real node_exporter 1.5 output', () => {
    const families = parsePromText(corpus('node-exporter-1.5.txt'));
    const cpu = families.find((f) => f.name === 'node_cpu_seconds_total')!;
    expect(cpu.type).toBe('counter');
    expect(cpu.samples.length).toBeGreaterThanOrEqual(8);
    expect(new Set(cpu.samples.map((s) => s.labels.mode))).toContain('idle');
    expect(families.find((f) => f.name === 'node_load1')!.type).toBe('gauge');
    // Go runtime summaries come with quantile samples plus _sum and _count.
    const gc = families.find((f) => f.name === 'go_gc_duration_seconds')!;
    expect(gc.type).toBe('summary');
    expect(gc.samples.map((s) => s.name)).toEqual(expect.arrayContaining(['go_gc_duration_seconds', 'go_gc_duration_seconds_sum', 'go_gc_duration_seconds_count']));
  });

  it('reads real prom-client 15 output: histograms with escaped labels, summaries, NaN', () => {
    const families = parsePromText(corpus('prom-client-15.txt'));
    const h = families.find((f) => f.name === 'http_request_duration_seconds')!;
    expect(h.type).toBe('histogram');
    expect(h.help).toBe('Request "duration"\nin seconds');
    const buckets = h.samples.filter((s) => s.name.endsWith('_bucket') && s.labels.code === '200');
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(buckets[0]!.labels.route).toBe('/a "quoted" \\ back\nslash');
    expect(h.samples.find((s) => s.name === 'http_request_duration_seconds_count' && s.labels.code === '500')!.value).toBe(1);
    const summary = families.find((f) => f.name === 'job_seconds')!;
    expect(summary.samples.find((s) => s.labels.quantile === '0.5')!.value).toBe(2);
    expect(families.find((f) => f.name === 'queue_ratio')!.samples[0]!.value).toBeNaN();
    expect(families.find((f) => f.name === 'process_cpu_seconds_total')!.type).toBe('counter');
  });

  it('handles +Inf/-Inf values, timestamps, comments, blank lines and untyped samples', () => {
    const families = parsePromText('# just a comment\n\nweird_metric{a="1",b="x,y"} +Inf 1700000000000\nneg -Inf\nplain 3.5e2\n# TYPE t counter\nt_total 4\n');
    expect(families.find((f) => f.name === 'weird_metric')!.samples[0]).toEqual({ name: 'weird_metric', labels: { a: '1', b: 'x,y' }, value: Infinity, timestamp: 1700000000000 });
    expect(families.find((f) => f.name === 'neg')!.samples[0]!.value).toBe(-Infinity);
    expect(families.find((f) => f.name === 'plain')!.samples[0]!.value).toBe(350);
    expect(families.find((f) => f.name === 't')!.samples[0]!.name).toBe('t_total');
  });

  it('names the line of malformed input', () => {
    expect(() => parsePromText('ok 1\nbroken{a="1" 2\n')).toThrow(PromParseError);
    expect(() => parsePromText('ok 1\nbad_value abc\n')).toThrow(/line 2: bad value "abc"/);
  });
});
