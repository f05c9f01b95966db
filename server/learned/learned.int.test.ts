import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { PatternMiner } from '../patterns/miner.ts';
import { Drain } from '../patterns/drain.ts';
import { patternCatalogue } from '../patterns/queries.ts';
import { raw, sql, ts } from '../storage/sql.ts';
import type { IncidentLink } from '../known-incidents/suggest.ts';
import { LearnedState } from './document.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the API under test
type Json = any;

// The learned state handed from one instance (A) to a fresh one (B), both real runtimes on the embedded engine.
// chDB opens one data directory per process: A and B take turns (`switchTo` closes the one open).
//
// Which miner: the routes are registered with the runtime's own miner (app.ts: learnedStateRoutes gets
// deps.miner, i.e. rt.miner), so GET exports rt.miner's trees and POST imports into rt.miner. The runtime's
// miner waits 5 s (engine clock) for lines to settle, so the test mines with its own PatternMiner (settleMs 0)
// on the same data directory, and keeps the two consistent through the state file (patterns/state.json):
// - on A, after mining, the runtime is reopened, so rt.miner loads the trees the test's miner saved and the
//   export carries them;
// - on B, the test's miner is opened only AFTER the import, which rt.miner saved to the state file; a miner
//   opened before would hold the empty trees it read at its opening and mine new ids of its own.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Math.floor((Date.now() - 4 * HOUR) / MINUTE) * MINUTE + 30_000; // A's incident ticket is opened
const T1 = T0 + 2 * HOUR; // the same trouble shows on B
let clock = T0 - HOUR;
const ENV = 'production';
const STORAGE = `${ENV}/storage`;
const WEB = `${ENV}/web`;
const keys = { operator: 'operator-key-0123456789', viewer: 'viewer-key-0123456789ab' };
const yaml = `agent: { enabled: false }
rules: []
patterns: { enabled: false }
api_keys:
  - { actor: 佐藤, role: operator, secret_env: OP_KEY }
  - { actor: 見る人, role: viewer, secret_env: VIEW_KEY }
`;
const open = (dataDir?: string) => openTestRuntime({ yaml, env: { OP_KEY: keys.operator, VIEW_KEY: keys.viewer }, now: () => clock, ...(dataDir ? { dataDir } : {}) });
const checker = Compile(LearnedState);

let a: TestRuntime | undefined;
let b: TestRuntime | undefined;
let dirA = '';
let dirB = '';
/** Closes whichever runtime is open and opens A's or B's data directory (a new one the first time). */
async function switchTo(which: 'A' | 'B'): Promise<TestRuntime> {
  await a?.close();
  await b?.close();
  a = b = undefined;
  const rt = await open((which === 'A' ? dirA : dirB) || undefined);
  if (which === 'A') [a, dirA] = [rt, rt.dataDir];
  else [b, dirB] = [rt, rt.dataDir];
  return rt;
}

interface Line { at: number; service: string; level: string; message: string }
async function ingest(rt: TestRuntime, lines: Line[]) {
  const body = lines.map((l) => JSON.stringify({ timestamp: l.at, environment: ENV, host: 'ap-1', service: l.service, level: l.level, message: l.message })).join('\n');
  const res = await rt.app.inject({ method: 'POST', url: '/api/v1/ingest/logs', headers: { ...rt.auth, 'content-type': 'application/x-ndjson' }, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  await rt.writer.flush();
}
/** The test's miner on a runtime's data directory: reads the state file as it is now. */
const minerOf = (rt: TestRuntime) => PatternMiner.open(rt.storage, rt.dataDir, { settleMs: 0, batchLines: 1000, intervalMs: 1000, now: () => clock });
/** One pass per call, a second later than the last (a pass's catalogue rows carry the clock as recorded_at). */
async function mine(miner: PatternMiner) {
  clock += 1000;
  return miner.catchUp();
}

type Who = 'admin' | 'operator' | 'viewer';
async function send(rt: TestRuntime, method: 'GET' | 'POST', url: string, who: Who, payload?: object) {
  clock += 1000; // every step a second later: the audit trail lists entries before "now"
  return rt.app.inject({ method, url, headers: who === 'admin' ? rt.admin : { authorization: `Bearer ${keys[who]}` }, ...(payload ? { payload } : {}) });
}
async function call(rt: TestRuntime, method: 'GET' | 'POST', url: string, who: Who, payload?: object): Promise<Json> {
  const res = await send(rt, method, url, who, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}
const closeBody = {
  report: { event: 'ディスクが満杯', cause: 'ログローテーション停止で /dev/sda1 が満杯になった', impact: '書き込み失敗 15 分', interim_fix: '古いログを削除', permanent_fix: 'logrotate の監視を追加' },
  root_cause_category: 'configuration',
  warranty_defect: 'not_a_warranty_defect',
};
const linksOf = (rt: TestRuntime, number: string) => rt.known.all().filter((l) => l.ticket === number);
async function waitForLinks(rt: TestRuntime, number: string): Promise<IncidentLink[]> {
  for (let i = 0; i < 200 && linksOf(rt, number).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  return linksOf(rt, number);
}
async function count(rt: TestRuntime, table: 'log_patterns' | 'incident_links') {
  const [row] = await rt.storage.query<{ n: number }>(sql`SELECT count() AS n FROM ${raw(table)}`);
  return Number(row!.n);
}
/** The pattern ids the miner counted the later lines under, as stored (before any resolving). */
const rawIds = async (rt: TestRuntime) => (await rt.storage.query<{ service: string; pattern: string; n: number }>(sql`
  SELECT service, pattern, sum(count) AS n FROM log_pattern_counts WHERE time >= ${ts(T1 - 30 * MINUTE)} GROUP BY service, pattern ORDER BY service, pattern`))
  .map((r) => ({ ...r, n: Number(r.n) }));
/** The later lines' patterns as the API lists them. */
const listed = async (rt: TestRuntime) => (await call(rt, 'GET', `/api/v1/patterns?environment=${ENV}&from=${new Date(T1 - 30 * MINUTE).toISOString()}&to=${new Date(T1).toISOString()}`, 'admin'))
  .patterns.map((p: Json) => [p.service, p.id, p.template, p.count]);
/** What an import could write on B: catalogue rows, link rows (stored and in memory), and the runtime miner's trees. */
const stateOf = async (rt: TestRuntime) => ({
  log_patterns: await count(rt, 'log_patterns'),
  incident_links: await count(rt, 'incident_links'),
  links_in_memory: rt.known.all().length,
  drains: Object.keys(rt.miner.exportDrains()).sort(),
});
const postState = (rt: TestRuntime, who: Who, doc: object) => send(rt, 'POST', '/api/v1/learned-state', who, doc);

// A's lines. The first disk line makes a template with the literal word "host"; the next, with "node" there,
// generalises it to "<*>": the first id becomes an alias of the second. Mined in two passes, as lines arriving
// apart would be: the catalogue then holds two rows of the first id (created, later replaced), and the export
// must give the newer one.
const diskFirst: Line = { at: T0 - 20 * MINUTE, service: 'storage', level: 'error', message: 'disk /dev/sda1 full on host web-1' };
const diskMore: Line[] = Array.from({ length: 12 }, (_, i) => ({ at: T0 - 19 * MINUTE + i * 30_000, service: 'storage', level: 'error', message: `disk /dev/sda1 full on node web-${i + 2}` }));
const webLines = (at: number, from: number, n: number): Line[] => Array.from({ length: n }, (_, i) => ({ at: at + i * MINUTE, service: 'web', level: 'info', message: `GET /news/${from + i} 200 ${10 + i}ms` }));

// The same shapes later, fed to both A and B: on the imported tree they join the generalised template; a
// fresh tree would make a new one from "host" (the first id), so these show whether B's tree is A's.
const later: Line[] = [
  ...Array.from({ length: 6 }, (_, i) => ({ at: T1 - 20 * MINUTE + i * MINUTE, service: 'storage', level: 'error', message: `disk /dev/sda1 full on host web-${20 + i}` })),
  ...webLines(T1 - 20 * MINUTE, 100, 5),
];

// The expected ids, from Drain itself fed the same lines in the order the miner reads them (by service, then time).
const oracle = new Drain({ scope: STORAGE });
const first = oracle.add(diskFirst.message);
const generalised = oracle.add(diskMore[0]!.message);
for (const l of diskMore.slice(1)) oracle.add(l.message);
const oldId = first.id;
const diskId = generalised.id;
const webOracle = new Drain({ scope: WEB });
const web = webOracle.add(webLines(0, 1, 1)[0]!.message);

let ticketA: string;
let doc: LearnedState;
let exportedAt: number;

beforeAll(async () => {
  expect([first.created, generalised.previousId, generalised.template]).toEqual([true, oldId, 'disk /dev/sda1 full on <*> web-<NUM>']);
  const rt = await switchTo('A');
  const minerA = minerOf(rt);
  await ingest(rt, [diskFirst, ...webLines(T0 - 20 * MINUTE, 1, 10)]);
  expect(await mine(minerA)).toBe(11);
  await ingest(rt, diskMore);
  expect(await mine(minerA)).toBe(12);

  // A's incident: opened after the disk errors, closed, and linked to the disk pattern around its detection.
  clock = T0;
  ticketA = (await call(rt, 'POST', '/api/v1/tickets', 'operator', { type: 'incident', title: 'ディスク満杯で書き込み失敗', environment: ENV })).number;
  await call(rt, 'POST', `/api/v1/tickets/${ticketA}/close`, 'operator', closeBody);
  expect((await waitForLinks(rt, ticketA)).map((l) => [l.kind, l.key, l.count])).toEqual([['closed', '', 0], ['pattern', diskId, 13]]);

  // The runtime's miner read the state file when A opened, before anything was mined: reopen A so it holds the trees.
  expect(rt.miner.exportDrains()).toEqual({});
  const reopened = await switchTo('A');
  expect(reopened.miner.drainOf(ENV, 'storage')?.resolve(oldId)).toBe(diskId);
}, 180_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('learned state export and import (issue 18, item 8)', () => {
  it('round trip: A exports trees, catalogue with aliases and links; B imports them and then mines the same ids and offers A’s ticket', async () => {
    const onA = a!;
    const res = await send(onA, 'GET', '/api/v1/learned-state', 'admin');
    exportedAt = clock;
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="mimamori-learned-state-${new Date(exportedAt).toISOString().slice(0, 10)}.json"`);
    doc = res.json();
    expect(checker.Check(doc), JSON.stringify([...checker.Errors(doc)].slice(0, 3))).toBe(true);
    expect(doc).toMatchObject({ format: 'mimamori-learned-state', version: 1, exported_at: new Date(exportedAt).toISOString() });

    // One tree per environment/service, made for that scope; the disk tree remembers the generalisation.
    expect(Object.keys(doc.drains).sort()).toEqual([STORAGE, WEB]);
    for (const [scope, state] of Object.entries(doc.drains)) expect(state.options.scope).toBe(scope);
    expect(doc.drains[STORAGE]!.aliases).toEqual({ [oldId]: diskId });
    expect(doc.drains[STORAGE]!.clusters).toEqual([{ id: diskId, tokens: generalised.template.split(' '), count: 13 }]);
    expect(doc.drains[WEB]!.aliases).toEqual({});
    expect(doc.drains[WEB]!.clusters.map((c) => [c.id, c.count])).toEqual([[web.id, 10]]);

    // The catalogue: the former id empty and replaced_by its successor, the current ones with their templates.
    const byId = new Map(doc.patterns.map((p) => [p.id, p]));
    expect(doc.patterns).toHaveLength(3);
    expect(byId.get(oldId)).toMatchObject({ environment: ENV, service: 'storage', template: '', replaced_by: diskId });
    expect(byId.get(diskId)).toMatchObject({ environment: ENV, service: 'storage', template: generalised.template, replaced_by: '' });
    expect(byId.get(web.id)).toMatchObject({ environment: ENV, service: 'web', template: web.template, replaced_by: '' });
    expect(Date.parse(byId.get(diskId)!.first_seen)).toBe(Math.floor(diskMore[0]!.at / MINUTE) * MINUTE);

    // The links of A's own ticket: origin empty.
    expect(doc.incident_links.map((l) => [l.origin, l.ticket, l.kind, l.key, l.service, l.count])).toEqual([
      ['', ticketA, 'closed', '', '', 0],
      ['', ticketA, 'pattern', diskId, 'storage', 13],
    ]);
    expect(doc.incident_links[0]!.summary).toMatchObject({ title: 'ディスク満杯で書き込み失敗', root_cause_category: 'configuration', cause: closeBody.report.cause });

    // New lines of the same shapes on A (after the export), mined by a miner on A's state file.
    await ingest(onA, later);
    expect(await mine(minerOf(onA))).toBe(later.length);
    const seenOnA = { raw: await rawIds(onA), listed: await listed(onA) };
    expect(seenOnA.raw).toEqual([{ service: 'storage', pattern: diskId, n: 6 }, { service: 'web', pattern: web.id, n: 5 }]);
    expect(seenOnA.listed).toEqual([['storage', diskId, generalised.template, 6], ['web', web.id, web.template, 5]]);

    // Into B, fresh: everything is added.
    const onB = await switchTo('B');
    const imported = await postState(onB, 'admin', doc);
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toEqual({ patterns_added: 3, incident_links_added: 2, drains_added: [STORAGE, WEB], drains_kept: [] });
    // The runtime's miner took the trees, and B's catalogue resolves the former id.
    expect(onB.miner.drainOf(ENV, 'storage')?.resolve(oldId)).toBe(diskId);
    expect((await patternCatalogue(onB.storage, ENV)).resolve(oldId)).toBe(diskId);

    // The same lines into B, mined by a miner opened on B's state file after the import: the same ids as on A.
    await ingest(onB, later);
    expect(await mine(minerOf(onB))).toBe(later.length);
    expect({ raw: await rawIds(onB), listed: await listed(onB) }).toEqual(seenOnA);
    expect((await patternCatalogue(onB.storage, ENV)).resolve(oldId)).toBe(diskId);

    // A manual ticket on B while the disk errors are back: A's ticket is offered, as from the learned state.
    clock = T1;
    const ticketB = (await call(onB, 'POST', '/api/v1/tickets', 'operator', { type: 'incident', title: '書き込みエラー', environment: ENV })).number;
    const got = await call(onB, 'GET', `/api/v1/tickets/${ticketB}/suggestions`, 'admin');
    expect(got.evidence.patterns.map((p: Json) => [p.id, p.count])).toEqual([[diskId, 6]]);
    // (B's first ticket may well carry A's ticket's number: the origin keeps them apart.)
    expect(got.suggestions.map((s: Json) => [s.origin, s.ticket, s.score])).toEqual([[`learned-state ${doc.exported_at}`, ticketA, 1]]);
    expect(got.suggestions[0].summary).toMatchObject({ title: 'ディスク満杯で書き込み失敗', cause: closeBody.report.cause });
    expect(got.suggestions[0].reasons).toEqual([{ kind: 'pattern', id: diskId, service: 'storage', template: generalised.template, count_then: 13, count_now: 6, tickets: 1, of: 1 }]);
  });

  it('importing the same document again adds nothing and says which trees were kept', async () => {
    const before = await stateOf(b!);
    const again = await postState(b!, 'admin', doc);
    expect(again.statusCode, again.body).toBe(200);
    const answer = again.json();
    expect({ ...answer, drains_kept: [...answer.drains_kept].sort() }).toEqual({ patterns_added: 0, incident_links_added: 0, drains_added: [], drains_kept: [STORAGE, WEB] });
    expect(await stateOf(b!)).toEqual(before);
  });

  it('refuses bad documents with 400 naming the field, and writes nothing', async () => {
    // A document that would add something: a new origin (its links are new here), a new pattern and a new tree.
    const staging = new Drain({ scope: 'staging/api' });
    const boot = staging.add('service started');
    const adding = (): LearnedState => {
      const d = structuredClone(doc);
      d.exported_at = new Date(exportedAt + 60_000).toISOString();
      d.patterns.push({ id: boot.id, environment: 'staging', service: 'api', template: boot.template, first_seen: new Date(T0).toISOString(), replaced_by: '' });
      d.drains['staging/api'] = staging.exportState();
      return d;
    };
    const onB = b!;
    const before = await stateOf(onB);
    const refused = async (d: object, who: Who = 'admin') => {
      const res = await postState(onB, who, d);
      expect(res.statusCode, res.body).toBe(400);
      expect(await stateOf(onB)).toEqual(before);
      return res.json();
    };

    expect(await refused({ ...adding(), format: 'mimamori-learned-stat' })).toMatchObject({ error: 'invalid_request', details: [{ field: 'body.format' }] });

    const mismatched = adding();
    mismatched.drains['staging/api']!.options.scope = 'staging/web';
    expect(await refused(mismatched)).toMatchObject({ error: 'scope_mismatch', details: [{ field: 'body.drains.staging/api.options.scope', reason: 'must be "staging/api"' }] });

    const badId = adding();
    badId.patterns.at(-1)!.id = 'p0123456789AB';
    expect(await refused(badId)).toMatchObject({ error: 'invalid_request', details: [{ field: `body.patterns.${badId.patterns.length - 1}.id` }] });

    // Nested objects are checked too: an unknown field in a link would otherwise reach the insert.
    const extraField = adding();
    extraField.incident_links[0] = { ...extraField.incident_links[0]!, note: 'x' } as (typeof extraField.incident_links)[number];
    expect(await refused(extraField)).toMatchObject({ error: 'invalid_request', details: [{ field: 'body.incident_links.0' }] });

    // A tree Drain would not build (fewer than 2 children a node) is refused before anything is written.
    const narrow = adding();
    narrow.drains['staging/api']!.options.maxChildren = 1;
    const narrowAnswer = await refused(narrow);
    expect(narrowAnswer.error).toBe('invalid_request');
    expect(narrowAnswer.details[0].field).toMatch(/options\.maxChildren$/);

    // The same document, right: it does add (so the refusals above did keep something out).
    const accepted = await postState(onB, 'admin', adding());
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ patterns_added: 1, incident_links_added: 2, drains_added: ['staging/api'] });
    const after = await stateOf(onB);
    expect([after.log_patterns - before.log_patterns, after.incident_links - before.incident_links, after.drains]).toEqual([1, 2, ['production/storage', 'production/web', 'staging/api']]);
  });

  it('records exports and imports in the audit trail; only administrators may export or import', async () => {
    const trail = async (rt: TestRuntime) => (await call(rt, 'GET', '/api/v1/audit?action=learned-state', 'admin')).entries.map((e: Json) => [e.action, e.actor, e.role, e.result, e.status, e.detail]).reverse();
    const onB = b!;
    const before = await stateOf(onB);
    for (const who of ['operator', 'viewer'] as const) {
      const denied = await postState(onB, who, doc);
      expect(denied.statusCode, denied.body).toBe(403);
      expect(denied.json()).toMatchObject({ error: 'forbidden' });
    }
    expect(await stateOf(onB)).toEqual(before);
    expect(await trail(onB)).toEqual([
      ['POST /api/v1/learned-state', 'local-admin', 'admin', 'ok', 200, ''],
      ['POST /api/v1/learned-state', 'local-admin', 'admin', 'ok', 200, ''],
      ['POST /api/v1/learned-state', 'local-admin', 'admin', 'refused', 400, 'invalid_request'],
      ['POST /api/v1/learned-state', 'local-admin', 'admin', 'refused', 400, 'scope_mismatch'],
      ['POST /api/v1/learned-state', 'local-admin', 'admin', 'refused', 400, 'invalid_request'],
      ['POST /api/v1/learned-state', 'local-admin', 'admin', 'refused', 400, 'invalid_request'],
      ['POST /api/v1/learned-state', 'local-admin', 'admin', 'refused', 400, 'invalid_request'],
      ['POST /api/v1/learned-state', 'local-admin', 'admin', 'ok', 200, ''],
      ['POST /api/v1/learned-state', '佐藤', 'operator', 'refused', 403, 'forbidden'],
      ['POST /api/v1/learned-state', '見る人', 'viewer', 'refused', 403, 'forbidden'],
    ]);

    const onA = await switchTo('A');
    for (const who of ['operator', 'viewer'] as const) {
      const res = await send(onA, 'GET', '/api/v1/learned-state', who);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ error: 'forbidden' });
      expect(res.body).not.toContain(oldId);
    }
    expect(await trail(onA)).toEqual([
      ['GET /api/v1/learned-state', 'local-admin', 'admin', 'ok', 200, ''],
      ['GET /api/v1/learned-state', '佐藤', 'operator', 'refused', 403, 'forbidden'],
      ['GET /api/v1/learned-state', '見る人', 'viewer', 'refused', 403, 'forbidden'],
    ]);
  });

  it('imports a tree that learned a blank line (a template of no words), as the instance exported it', async () => {
    const blank = new Drain({ scope: 'staging/batch' });
    blank.add('   ');
    blank.add('job done in 12 ms');
    const state = blank.exportState();
    expect(state.clusters.some((c) => c.tokens.length === 0)).toBe(true);
    const d = structuredClone(doc);
    d.exported_at = new Date(Date.parse(doc.exported_at) + 120_000).toISOString();
    d.drains = { 'staging/batch': state };
    const answer = await postState(await switchTo('B'), 'admin', d);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().drains_added).toEqual(['staging/batch']);
  });
});
