import { describe, expect, it } from 'vitest';
import { Drain, templateId } from './drain.ts';

// A small labelled corpus: each line with the template it must land in.
const CORPUS: [label: string, line: string][] = [];
const add = (label: string, lines: string[]) => lines.forEach((l) => CORPUS.push([label, l]));
for (let i = 0; i < 12; i++) {
  add('nginx', [`10.0.${i}.7 - - [30/Nov/2026:10:0${i % 10}:11 +0900] "GET /news/${100 + i}.html?page=${i} HTTP/1.1" 200 ${5120 + i} "-" "Mozilla/5.0"`]);
  add('timeout', [`upstream timeout after ${120 + i}ms calling 10.0.0.${i}:8080`]);
  add('login', [`ユーザー ${20000 + i} のログインに失敗しました（理由: パスワード不一致）`]);
  add('java', [`at jp.example.portal.OrderService.place(OrderService.java:${40 + i})`]);
  add('node', [`Error: connect ECONNREFUSED 127.0.0.1:${5432 + (i % 2)} at TCPConnectWrap.afterConnect [as oncomplete] (node:net:${1600 + i}:16)`]);
  add('json', [`request done {"status":${i % 2 ? 200 : 204},"ms":${30 + i},"user":"u${i}@example.jp"}`]);
  add('started', [`job nightly-report started at 2026-11-${10 + i}T01:00:00Z by scheduler`]);
  add('date-ja', [`メンテナンスを ${i + 1}月${i + 2}日 10時${10 + i}分 に開始します`]);
}

/** Pairwise precision and recall over every pair of lines: grouped together when they should be, apart when not. */
function pairScores(labels: string[], ids: string[]) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const same = labels[i] === labels[j];
      const together = ids[i] === ids[j];
      if (same && together) tp++;
      else if (together) fp++;
      else if (same) fn++;
    }
  }
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}

describe('Drain', () => {
  it('groups a labelled corpus of nginx, Java, Node, JSON and Japanese lines into their templates (pairwise F1 reported)', () => {
    const drain = new Drain({ scope: 'production/app' });
    const ids = CORPUS.map(([, line]) => drain.add(line).id).map((id) => drain.resolve(id)!);
    const scores = pairScores(CORPUS.map(([label]) => label), ids);
    // Figure for the notes: precision, recall and F1 of the grouping.
    process.stderr.write(`drain grouping: ${JSON.stringify(scores)}\n`);
    expect(scores.f1).toBeGreaterThanOrEqual(0.95);
    const templates = drain.clusters().map((c) => c.template);
    expect(templates).toContain('upstream timeout after <DURATION> calling <IP>');
    expect(templates).toContain('ユーザー <NUM> のログインに失敗しました（理由: パスワード不一致）');
    expect(templates).toContain('job nightly-report started at <TS> by scheduler');
    expect(templates).toContain('メンテナンスを <DATE> に開始します');
  });

  it('keeps ids across export and import, and old ids resolve after a template generalises', () => {
    const drain = new Drain({ scope: 's' });
    const first = drain.add('cache miss for key user-profile');
    expect(first).toMatchObject({ created: true, id: templateId('cache miss for key user-profile', 's') });
    const second = drain.add('cache miss for key order-list');
    expect(second).toMatchObject({ created: false, previousId: first.id, template: 'cache miss for key <*>' });
    expect(drain.resolve(first.id)).toBe(second.id);
    const copy = Drain.fromState(JSON.parse(JSON.stringify(drain.exportState())));
    expect(copy.match('cache miss for key session')?.id).toBe(second.id);
    expect(copy.resolve(first.id)).toBe(second.id);
    // Learning the same next line gives the same answer in both.
    expect(copy.add('disk 3 full on host a')).toEqual(drain.add('disk 3 full on host a'));
    expect(drain.resolve('p000000000000')).toBeUndefined();
  });
});
