import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { openTestRuntime, type TestRuntime } from '../../test/helpers/runtime.ts';
import { sql, ts, typed } from '../storage/sql.ts';
import { ReportTexts } from './texts.ts';

// Today is 30 November 2026 in Tokyo; db-1 climbs half a point a day towards
// its 80 % threshold (crossing about 14 December), web-1 stays at 40 %.
const jst = (wall: string) => Date.parse(`${wall}+09:00`);
const DAY = 86_400_000;
const FROM = jst('2026-11-30T00:00') - 90 * DAY;
let rt: TestRuntime;
const as: Record<string, { authorization: string }> = {};

beforeAll(async () => {
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\ncapacity: { hosts: { db-1: 80 } }\n', now: () => jst('2026-11-30T09:00') });
  for (let x = 45; x < 90; x++) {
    for (const [host, percent] of [['db-1', 50 + 0.5 * (x - 45)], ['web-1', 40]] as const) {
      await rt.storage.command(sql`
        INSERT INTO metrics (timestamp, environment, host, name, labels, value)
        SELECT ${ts(FROM + x * DAY + 3 * 3_600_000)} + toIntervalMinute(number), 'production', ${host}, 'cpu_utilisation_percent', map('cpu', 'total'), ${typed(percent, 'Float64')}
        FROM numbers(5)`);
    }
  }
  for (const [id, role] of [['op1', 'operator'], ['op2', 'operator'], ['view', 'viewer']] as const) {
    await rt.accounts.accounts.create(id, { displayName: id }, role, 'V!olet-Harb0ur-91', { name: 'test', role: 'admin' }, { lang: 'en', mustChangePassword: false });
    as[id] = { authorization: `Bearer ${(await rt.accounts.tokens.create('personal', id, id, role, 'test')).token}` };
  }
}, 60_000);
afterAll(async () => rt?.close());

const call = (who: string, method: 'GET' | 'POST', url: string, payload?: object) => rt.app.inject({ method, url, headers: as[who], payload });
const review = async () => (await call('view', 'GET', '/api/v1/reports/capacity?environment=production')).json();
const host = (r: { hosts: { host: string }[] }, name: string) => r.hosts.find((h) => h.host === name) as unknown as { proposal: Record<string, unknown> | null };

describe('capacity-review proposals (item 18)', () => {
  let id: string;

  it('are drafted in ja and en from the figures for a host that needs one, and for no other', async () => {
    const r = await review();
    const db = host(r, 'db-1').proposal!;
    expect(db).toMatchObject({ id: null, status: 'drafted', by: null });
    expect(db.text_ja).toContain('合意しきい値は 80%（ホスト個別の合意）');
    expect(db.text_ja).toMatch(/2026-12-1\d 頃/);
    expect(db.text_en).toContain('rises 0.5 points a day');
    expect(db.text_en).toContain('Recommendation:');
    expect(host(r, 'web-1').proposal).toBeNull();
  });

  it('are saved as versions, each with who and when, and never overwrite a newer edit', async () => {
    const draft = (await review()).hosts.find((h: { host: string }) => h.host === 'db-1').proposal;
    expect((await call('view', 'POST', '/api/v1/reports/texts', { kind: 'capacity_proposal', environment: 'production', subject: 'db-1', text_ja: 'x', text_en: 'x' })).statusCode).toBe(403);
    const unknown = await call('op1', 'POST', '/api/v1/reports/texts', { kind: 'capacity_proposal', environment: 'production', subject: 'nohost', text_ja: 'x', text_en: 'x' });
    expect(unknown.json()).toMatchObject({ error: 'unknown_host', details: [{ field: 'subject' }] });
    const created = await call('op1', 'POST', '/api/v1/reports/texts', { kind: 'capacity_proposal', environment: 'production', subject: 'db-1', text_ja: draft.text_ja, text_en: draft.text_en });
    expect(created.statusCode).toBe(201);
    id = created.json().id;
    expect(created.json()).toMatchObject({ version: 1, status: 'draft', by: 'op1', figures: { host: 'db-1', threshold_percent: 80, proposal_needed: true } });
    expect((await call('op2', 'POST', '/api/v1/reports/texts', { kind: 'capacity_proposal', environment: 'production', subject: 'db-1', text_ja: 'x', text_en: 'x' })).json()).toMatchObject({ error: 'draft_exists' });

    const edited = await call('op2', 'POST', `/api/v1/reports/texts/${id}/versions`, { base_version: 1, text_ja: `${draft.text_ja}\n増強は 12 月第 1 週に実施予定。`, text_en: `${draft.text_en}\nTo be scaled in the first week of December.` });
    expect(edited.json()).toMatchObject({ version: 2, status: 'draft', by: 'op2' });
    const stale = await call('op1', 'POST', `/api/v1/reports/texts/${id}/versions`, { base_version: 1, text_ja: 'older', text_en: 'older' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: 'edited_meanwhile', details: [{ field: 'base_version' }] });
    expect(host(await review(), 'db-1').proposal).toMatchObject({ id, version: 2, status: 'draft', by: 'op2' });
  });

  it('are marked proposed to the foundation, then take no edits; every version stays readable and every change is audited', async () => {
    const final = await call('op1', 'POST', `/api/v1/reports/texts/${id}/final`, { base_version: 2 });
    expect(final.json()).toMatchObject({ version: 3, status: 'proposed', by: 'op1' });
    expect((await call('op2', 'POST', `/api/v1/reports/texts/${id}/versions`, { base_version: 3, text_ja: 'late', text_en: 'late' })).json()).toMatchObject({ error: 'already_final' });
    const history = (await call('view', 'GET', `/api/v1/reports/texts/${id}`)).json();
    expect(history.versions.map((v: { version: number; status: string; by: string }) => [v.version, v.status, v.by])).toEqual([[1, 'draft', 'op1'], [2, 'draft', 'op2'], [3, 'proposed', 'op1']]);
    expect(history.versions[2].text_en).toContain('first week of December');
    // What is stored comes back the same after a restart (the store is read from ClickHouse).
    const reopened = await ReportTexts.open(rt.storage, () => 0);
    expect(reopened.get(id).versions.map((v) => v.status)).toEqual(['draft', 'draft', 'proposed']);
    await rt.trail.flush();
    const trail = await rt.storage.query<{ actor: string; action: string; result: string }>(sql`SELECT actor, action, result FROM audit_log WHERE action LIKE 'POST /api/v1/reports/texts%' ORDER BY seq`);
    expect(trail.filter((t) => t.result === 'ok').map((t) => `${t.actor} ${t.action}`)).toEqual([
      'op1 POST /api/v1/reports/texts',
      'op2 POST /api/v1/reports/texts/:id/versions',
      'op1 POST /api/v1/reports/texts/:id/final',
    ]);
  });

  it('appear in the printable review with each host’s daily chart, and in the XLSX', async () => {
    const page = (await call('view', 'GET', '/api/v1/reports/capacity?environment=production&format=html&lang=en')).body;
    expect(page).toContain('<h2>Capacity-review proposals</h2>');
    expect(page).toContain('proposed to the foundation');
    expect(page).toContain('To be scaled in the first week of December.');
    expect(page).toMatch(/<figcaption>db-1: Daily CPU p95 \(dots\)[^<]*<\/figcaption><svg[^>]*>(.(?!<\/svg>))*<circle/);
    expect((page.match(/<circle /g) ?? []).length).toBe(45);
    const xlsx = await call('view', 'GET', '/api/v1/reports/capacity?environment=production&format=xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets.find((w) => w.name.includes('提案'))!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'ホスト', '状態', '作成者', '日時', '提案']);
    expect(sheet.getRow(2).getCell(2).value).toBe('財団へ提案済み');
  });
});

describe('the annual improvement plan (item 9)', () => {
  it('is drafted from the data, edited, issued, and the report then shows the issued text', async () => {
    const get = async (format = 'json') => call('view', 'GET', `/api/v1/reports/annual?from=2025-12&environment=production&format=${format}&lang=en`);
    const drafted = (await get()).json().plan_text;
    expect(drafted).toMatchObject({ status: 'drafted', id: null });
    const created = await call('op1', 'POST', '/api/v1/reports/texts', { kind: 'improvement_plan', environment: 'production', subject: '2025-12', text_ja: '・db-1 を 12 月に増強する。', text_en: '- Scale db-1 up in December.' });
    expect(created.statusCode).toBe(201);
    expect((await call('op1', 'POST', '/api/v1/reports/texts', { kind: 'improvement_plan', environment: 'production', subject: '2025-13', text_ja: 'x', text_en: 'x' })).json()).toMatchObject({ error: 'invalid_month', details: [{ field: 'subject' }] });
    expect((await get()).json().plan_text).toMatchObject({ status: 'draft', version: 1, text_en: '- Scale db-1 up in December.' });
    await call('op2', 'POST', `/api/v1/reports/texts/${created.json().id}/final`, { base_version: 1 });
    const page = (await get('html')).body;
    expect(page).toContain('<h2>Improvement plan</h2><table><thead><tr><th>Item (issued)</th>');
    expect(page).toContain('- Scale db-1 up in December.');
  });
});
