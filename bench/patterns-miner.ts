// The pattern miner's own speed (issue 18): Drain (masking included) over
// 1,000,000 log lines of 5 shapes with varying values under 10 service
// prefixes (~100 bytes, some Japanese), three times: lines/s, templates
// learned (the prefixes carry a digit, so Drain rightly merges them), heap.
import { Drain } from '../server/patterns/drain.ts';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const SHAPES = [
  (i: number) => `GET /news/${i % 5000}.html?page=${i % 7} 200 ${i % 900}ms user=${i % 5000} ${(i * 2654435761 >>> 0).toString(16)}`,
  (i: number) => `upstream timeout after ${1000 + (i % 4000)}ms calling 10.0.${i % 4}.${i % 250}:8080 request_id=${i}`,
  (i: number) => `ユーザー ${10000 + (i % 90000)} のログインに失敗しました（理由: パスワード不一致） from 192.168.${i % 200}.${i % 250}`,
  (i: number) => `order ${i} placed by customer ${i % 3000} total ${(i % 100000) / 100} yen in ${i % 500}ms`,
  (i: number) => `job batch-${i % 9} finished at 2026-11-30T0${i % 10}:00:00Z with ${i % 40} warnings`,
];
const line = (i: number) => `svc${i % 10} ${SHAPES[i % SHAPES.length]!(i)}`;

const texts = Array.from({ length: 100_000 }, (_, i) => line(i));
const rates: number[] = [];
let templates = 0;
const heapBefore = process.memoryUsage().heapUsed;
for (let round = 0; round < 3; round++) {
  const drain = new Drain({ scope: 'bench' });
  const started = performance.now();
  for (let i = 0; i < LINES; i++) drain.add(texts[i % texts.length]!);
  rates.push(Math.round(LINES / ((performance.now() - started) / 1000)));
  templates = drain.clusters().length;
}
rates.sort((a, b) => a - b);
console.log(JSON.stringify({ bench: 'patterns-miner', lines: LINES, lines_per_s: rates[1], lines_per_s_runs: rates, templates, heap_growth_mib: Math.round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20) }));
