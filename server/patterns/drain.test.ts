import { describe, expect, it } from 'vitest';
import { Drain, templateId, WILDCARD } from './drain.ts';
import { CORPUS, interleaved } from './corpus.fixture.ts';

/** Pairwise scores over every pair of lines: a pair is positive when the labels say "same template"; predicted positive when Drain put both in one cluster. */
function pairScores(labels: string[], clusters: string[]) {
  let truePositive = 0;
  let falsePositive = 0;
  let falseNegative = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const same = labels[i] === labels[j];
      const together = clusters[i] === clusters[j];
      if (same && together) truePositive++;
      else if (together) falsePositive++;
      else if (same) falseNegative++;
    }
  }
  const precision = truePositive / (truePositive + falsePositive);
  const recall = truePositive / (truePositive + falseNegative);
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}

/** Every corpus line through one Drain: each line's cluster at the end (its id at the time, resolved). */
function learnCorpus(drain = new Drain()) {
  const stream = interleaved();
  const ids = stream.map(({ line }) => drain.add(line).id);
  return { drain, stream, clusters: ids.map((id) => drain.resolve(id)!) };
}

describe('Drain over the labelled corpus', () => {
  // The corpus includes groups Drain is known to get wrong (drainMisses): over all lines the figures stay below 1;
  // over the other groups' lines grouping must be perfect. Measured 2026-12-01: precision 0.911, recall 0.988, F1 0.948.
  it('finds the labelled templates and groups lines with pairwise F1 ≥ 0.94 (1 on the groups Drain can express)', () => {
    const { drain, stream, clusters } = learnCorpus();
    const templates = new Set(drain.clusters().map((c) => c.template));
    for (const group of CORPUS.filter((g) => !g.drainMisses)) expect(templates, group.service).toContain(group.template);
    for (const group of CORPUS.filter((g) => g.drainMisses)) expect(templates, group.drainMisses).not.toContain(group.template);

    const labels = stream.map(({ group }) => group.template);
    expect(pairScores(labels, labels)).toEqual({ precision: 1, recall: 1, f1: 1 });
    const scores = pairScores(labels, clusters);
    const expressible = stream.flatMap(({ group }, i) => (group.drainMisses ? [] : [i]));
    const expressibleScores = pairScores(expressible.map((i) => labels[i]!), expressible.map((i) => clusters[i]!));
    process.stderr.write(`drain corpus: ${stream.length} lines, ${CORPUS.length} labelled templates, ${drain.clusters().length} clusters; pairwise all ${JSON.stringify(scores)}; without drainMisses groups ${JSON.stringify(expressibleScores)}\n`);
    expect(scores.f1).toBeGreaterThanOrEqual(0.94);
    expect(scores.precision).toBeGreaterThanOrEqual(0.9);
    expect(scores.recall).toBeGreaterThanOrEqual(0.98);
    expect(expressibleScores.f1).toBe(1);
  });

  it('gives the same ids, matches and further learning after fromState(exportState()) through JSON', () => {
    const stream = interleaved();
    const half = Math.floor(stream.length / 2);
    const original = new Drain();
    for (const { line } of stream.slice(0, half)) original.add(line);
    const state = original.exportState();
    const copy = Drain.fromState(JSON.parse(JSON.stringify(state)));
    expect(copy.exportState()).toEqual(state);
    for (const { line } of stream) expect(copy.match(line), line).toEqual(original.match(line));
    for (const { line } of stream.slice(half)) expect(copy.add(line), line).toEqual(original.add(line));
    expect(copy.clusters()).toEqual(original.clusters());
    expect(copy.exportState()).toEqual(original.exportState());
  });
  it('rebuilds the same Drain from any state: random lines, small trees, the cap reached (property check)', () => {
    let seed = 42;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const vocabulary = ['get', 'put', 'ok', 'fail', 'disk', 'node7', 'x9', '<*>', 'ユーザー', 'を削除しました'];
    const line = () => Array.from({ length: 1 + Math.floor(random() * 5) }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ');
    for (let trial = 0; trial < 300; trial++) {
      const options = { depth: 4 + Math.floor(random() * 2), similarity: [0.3, 0.4, 0.6][trial % 3]!, maxChildren: 2 + Math.floor(random() * 3), maxClusters: 8 + Math.floor(random() * 20) };
      const lines = Array.from({ length: 60 }, line);
      const cut = Math.floor(random() * lines.length);
      const original = new Drain(options);
      for (const l of lines.slice(0, cut)) original.add(l);
      const copy = Drain.fromState(JSON.parse(JSON.stringify(original.exportState())));
      for (const l of lines.slice(cut)) {
        expect(copy.match(l)).toEqual(original.match(l));
        expect(copy.add(l)).toEqual(original.add(l));
      }
      expect(copy.exportState()).toEqual(original.exportState());
    }
  });
});

describe('Drain ids and aliases', () => {
  it('derives a new cluster id from its template (and the scope, when given)', () => {
    expect(new Drain().add('disk sda1 is 91% full').id).toBe(templateId('disk sda1 is <NUM>% full'));
    expect(templateId('x')).toMatch(/^p[0-9a-f]{12}$/);
    const scoped = new Drain({ scope: 'production/api' }).add('disk sda1 is 91% full').id;
    expect(scoped).toBe(templateId('disk sda1 is <NUM>% full', 'production/api'));
    expect(scoped).not.toBe(templateId('disk sda1 is <NUM>% full'));
  });

  it('moves a cluster to the id of its generalised template and keeps the old ids resolving, through chains', () => {
    const drain = new Drain();
    const first = drain.add('cache miss for key profile in region tokyo');
    expect(first).toEqual({ id: templateId('cache miss for key profile in region tokyo'), template: 'cache miss for key profile in region tokyo', created: true });
    const second = drain.add('cache miss for key orders in region tokyo');
    expect(second).toEqual({ id: templateId('cache miss for key <*> in region tokyo'), template: 'cache miss for key <*> in region tokyo', created: false, previousId: first.id });
    expect(drain.add('cache miss for key cart in region tokyo')).toEqual({ id: second.id, template: second.template, created: false });
    const third = drain.add('cache miss for key cart in region osaka');
    expect(third).toMatchObject({ template: 'cache miss for key <*> in region <*>', previousId: second.id });
    for (const id of [first.id, second.id, third.id]) expect(drain.resolve(id)).toBe(third.id);
    expect(drain.resolve('p000000000000')).toBeUndefined();
    expect(drain.clusters()).toEqual([{ id: third.id, template: third.template, count: 4 }]);
    expect(Drain.fromState(JSON.parse(JSON.stringify(drain.exportState()))).resolve(first.id)).toBe(third.id);
  });
});

describe('Drain3 behaviour', () => {
  it('does not count <*> as equal when learning: a line must share enough literal tokens', () => {
    const drain = new Drain({ similarity: 0.4 });
    drain.add('open file alpha now');
    expect(drain.add('open file beta now').template).toBe('open file <*> now');
    // open = open, file ≠ disk, <*> not counted, now ≠ later: 1/4 < 0.4 (2/4 if <*> counted).
    expect(drain.add('open disk gamma later')).toMatchObject({ created: true, template: 'open disk gamma later' });
  });

  it('routes tokens with digits to the <*> branch, others by their text', () => {
    const drain = new Drain();
    drain.add('r2d2 is online now');
    expect(drain.add('c3po is online now').template).toBe('<*> is online now');
    // A first token that is not a child falls back to the <*> child when searching (Drain3's tree_search).
    expect(drain.add('gamma is online now')).toMatchObject({ created: false, template: '<*> is online now' });
    const words = new Drain();
    words.add('alpha is online now');
    expect(words.add('beta is online now')).toMatchObject({ created: true, template: 'beta is online now' });
  });

  it('sends new tokens to the <*> child once a node has maxChildren children', () => {
    const drain = new Drain({ maxChildren: 3 });
    drain.add('apple is sour');
    drain.add('banana is sweet');
    drain.add('cherry is ripe'); // the last place goes to <*>
    const damson = drain.add('damson is ripe');
    expect(damson).toMatchObject({ created: false, template: '<*> is ripe' });
    const wide = new Drain({ maxChildren: 100 });
    for (const line of ['apple is sour', 'banana is sweet', 'cherry is ripe']) wide.add(line);
    expect(wide.add('damson is ripe')).toMatchObject({ created: true });
    // match falls back to every cluster of the token count when the tree leads elsewhere (Drain3's "fallback").
    expect(drain.match('apple is ripe')).toEqual({ id: damson.id, template: '<*> is ripe' });
    expect(drain.match('apple is sour')?.template).toBe('apple is sour');
  });

  it('matches without learning, on masked lines and whole-token templates', () => {
    const drain = new Drain();
    drain.add('user 12 logged in from 10.0.0.1');
    const before = drain.exportState();
    expect(drain.match('user 99 logged in from 192.168.1.20')?.template).toBe('user <NUM> logged in from <IP>');
    expect(drain.match('user 99 logged out from 192.168.1.20')).toBeUndefined();
    expect(drain.match('user 99 logged in')).toBeUndefined();
    expect(drain.exportState()).toEqual(before);
  });

  it('groups empty lines together', () => {
    const drain = new Drain();
    const first = drain.add('   ');
    expect(drain.add('')).toEqual({ id: first.id, template: '', created: false });
  });

  it('rejects options outside their range', () => {
    expect(() => new Drain({ depth: 2 })).toThrow(RangeError);
    expect(() => new Drain({ similarity: 1.5 })).toThrow(RangeError);
    expect(() => new Drain({ maxClusters: 0 })).toThrow(RangeError);
    expect(() => Drain.fromState({ ...new Drain().exportState(), version: 2 as 1 })).toThrow(/version/);
  });
});

describe('Drain maxClusters', () => {
  it('stops creating clusters at the cap, counts other lines under the catch-all, and keeps learning in existing clusters', () => {
    const drain = new Drain({ maxClusters: 2 });
    drain.add('disk full on sda');
    drain.add('queue depth is high');
    const overflow = drain.add('certificate expires soon for shop');
    expect(overflow).toEqual({ id: drain.catchAllId, template: WILDCARD, created: true });
    expect(drain.add('another new shape of line')).toEqual({ id: drain.catchAllId, template: WILDCARD, created: false });
    expect(drain.add('disk full on sdb')).toMatchObject({ template: 'disk full on <*>', created: false });
    expect(drain.clusters()).toEqual([
      { id: templateId('disk full on <*>'), template: 'disk full on <*>', count: 2 },
      { id: templateId('queue depth is high'), template: 'queue depth is high', count: 1 },
      { id: drain.catchAllId, template: WILDCARD, count: 2 },
    ]);
    expect(drain.match('certificate expires soon for shop')).toBeUndefined();
    expect(drain.resolve(drain.catchAllId)).toBe(drain.catchAllId);
    const copy = Drain.fromState(JSON.parse(JSON.stringify(drain.exportState())));
    expect(copy.clusters()).toEqual(drain.clusters());
    expect(copy.add('yet another shape')).toEqual({ id: drain.catchAllId, template: WILDCARD, created: false });
  });

  it('never gives a learned template an id already given out (here the catch-all\'s)', () => {
    expect(new Drain().resolve(new Drain().catchAllId)).toBeUndefined();
    const drain = new Drain();
    const literal = drain.add('<*>');
    expect(literal).toMatchObject({ template: WILDCARD, created: true });
    expect(literal.id).not.toBe(drain.catchAllId);
    expect(literal.id).toBe(templateId('<*>\u00001'));
  });
});
