import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { createSignedInUser } from '../helpers/accounts.ts';
import { openWatchedPage, signInThrough, violations } from '../helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const VIEWER = { id: 'aoki', initial: 'R7#harbor-Fern-31', chosen: 'Qu1et&Maple-808' };
const OPERATOR = { id: 'kondo', initial: 'T4$lantern-Reed-62', chosen: 'Brisk!Cedar-7305' };

/** `id` (YYYY-MM) moved `n` months on. */
const monthAfter = (id: string, n: number) => {
  const [year, month] = id.split('-').map(Number) as [number, number];
  const index = year * 12 + month - 1 + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
};

/** The prefilled export.telemetry request sent from the requests page, then read back from the server: pending, by kondo, with `params`. */
async function requestAndCheck(p: Page, params: Record<string, unknown>) {
  const form = p.locator('[data-testid="create-request"]');
  await form.waitFor();
  await expect.poll(() => form.locator('select[name="operation"]').inputValue()).toBe('export.telemetry');
  expect(await form.locator('select[name="kind"]').inputValue()).toBe(params.kind);
  await form.getByRole('button').last().click();
  await p.locator('[data-testid="request-made"]').waitFor();
  const asked = (await (await fetch(`${serverUrl}/api/v1/requests`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as { requests: { operation: string; state: string; requester: { name: string }; params: Record<string, unknown> }[] };
  expect(asked.requests[0]).toMatchObject({ operation: 'export.telemetry', state: 'pending', requester: { name: 'kondo' }, params });
}
let serverUrl = '';
let adminKey = '';

/** The reports page as someone preparing the monthly meeting uses it: last month preselected, a preview, the printable page, the XLSX, then the capacity review. */
describe('the reports page in a real browser', () => {
  let server: ServerProcess;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerWithConfig('environments: [production, staging]\nagent: { enabled: false }\n');
    [serverUrl, adminKey] = [server.url, server.adminKey];
    // Twelve probes on the 10th of last month (Tokyo), one over 5 s.
    const tokyo = new Date(Date.now() + 9 * 3_600_000);
    const tenth = Date.UTC(tokyo.getUTCFullYear(), tokyo.getUTCMonth() - 1, 10, 3);
    const rows = Array.from({ length: 12 }, (_, i) => ({ timestamp: tenth + i * 60_000, environment: 'production', target: 'portal-top', url: 'https://portal.example.jp/', ok: true, status: 200, total_ms: i === 0 ? 6500 : 300 }));
    const res = await server.ingest('probes', rows);
    expect(res.status, await res.text()).toBe(200);
    // db-1's CPU climbs 1.5 points a day for the last 20 days, from 40 % to 68.5 %: 80 % in about a week.
    const midnight = Date.parse(`${tokyo.toISOString().slice(0, 10)}T00:00:00+09:00`);
    const cpu = Array.from({ length: 20 }, (_, d) => Array.from({ length: 5 }, (_, m) => ({ timestamp: midnight - (20 - d) * 86_400_000 + 3_600_000 + m * 60_000, environment: 'production', host: 'db-1', name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 40 + 1.5 * d }))).flat();
    const stored = await server.ingest('metrics', cpu);
    expect(stored.status, await stored.text()).toBe(200);
    await createSignedInUser(server.url, server.adminKey, { id: VIEWER.id, role: 'viewer', name: '青木 一郎', initial: VIEWER.initial, chosen: VIEWER.chosen });
    await createSignedInUser(server.url, server.adminKey, { id: OPERATOR.id, role: 'operator', name: '近藤 花子', initial: OPERATOR.initial, chosen: OPERATOR.chosen });
    ({ context, page } = await openWatchedPage({ width: 1366, height: 768 }));
    await new Promise((r) => setTimeout(r, 600)); // one flush interval and then some
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it('previews last month, opens the printable page and downloads the XLSX, then previews the capacity review, without a CSP violation', async () => {
    await signInThrough(page, server.url, '/reports?environment=production', VIEWER, '報告書');
    const tokyo = new Date(Date.now() + 9 * 3_600_000);
    const last = new Date(Date.UTC(tokyo.getUTCFullYear(), tokyo.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    expect(await page.locator('input[type="month"]').inputValue()).toBe(last);
    await page.getByRole('button', { name: 'プレビュー' }).click();
    const row = page.locator('[data-testid="preview-targets"] tbody tr').first();
    await row.waitFor();
    // 11 of 12 within 5 s: 91.667 %, short of the 99 % objective, so the row reads as missed.
    expect(await row.locator('td').allInnerTexts()).toEqual(['portal-top', '100%', '100%', expect.stringMatching(/ms$/), '91.667%', expect.stringMatching(/^-\d+(\.\d)?%$/)]);
    expect(await row.getAttribute('class')).toContain('miss');
    await page.screenshot({ path: path.join(ARTIFACTS, 'reports.png') });

    const [printable] = await Promise.all([context.waitForEvent('page'), page.locator('[data-testid="open-html"]').click()]);
    await printable.waitForLoadState();
    expect(await printable.locator('h1').innerText()).toBe(`月次報告 ${last} — production`);
    await printable.close();

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="download-xlsx"]').click()]);
    expect(download.suggestedFilename()).toBe(`mimamori-monthly-${last}-production.xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await download.path())!);
    expect(book.getWorksheet('可用性と応答時間')!.getCell('A2').value).toBe('portal-top');

    // The capacity review: no period to choose; db-1 rising towards its 80 % needs a proposal.
    await page.locator('select[name="kind"]').selectOption('capacity');
    expect(await page.locator('input[type="month"]').count()).toBe(0);
    await page.getByRole('button', { name: 'プレビュー' }).click();
    const host = page.locator('[data-testid="preview-capacity"] tbody tr').first();
    await host.waitFor();
    const cells = await host.locator('td').allInnerTexts();
    expect(cells.slice(0, 3)).toEqual(['db-1', '80%', '68.5%']);
    // Both trends, the last 30 days' and the 90 days', rise towards 80 % within the stated range.
    for (const trend of cells.slice(3, 5)) expect(trend).toMatch(/^上昇\n\d{4}-\d{2}-\d{2} \(\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}\)$/);
    expect(cells[5]).toBe('はい');
    // Its chart: a dot a day, the agreed threshold and both trend lines.
    const chart = page.locator('[data-testid="capacity-chart-db-1"] svg');
    expect(await chart.locator('circle').count()).toBe(20);
    expect(await chart.locator('line.threshold, line.trend90, line.trend30').count()).toBe(3);
    expect(await page.locator('[data-testid="capacity-chart-db-1"] figcaption').innerText()).toContain('30日傾向');
    // A viewer reads the drafted proposal but cannot save it.
    const proposal = page.locator('[data-testid="text-db-1"]');
    expect(await proposal.locator('textarea').first().inputValue()).toContain('合意しきい値は 80%');
    expect(await proposal.locator('textarea').first().getAttribute('readonly')).not.toBeNull();
    expect(await proposal.getByRole('button').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'reports-capacity.png') });
    expect(await violations(page)).toEqual([]);
  });

  it('lets an operator edit the drafted proposal, save it and mark it proposed to the foundation, and issue the improvement plan', async () => {
    const op = await openWatchedPage({ width: 1366, height: 900 });
    try {
      const p = op.page;
      await signInThrough(p, server.url, '/reports?environment=production', OPERATOR, '報告書');
      await p.locator('select[name="kind"]').selectOption('capacity');
      await p.getByRole('button', { name: 'プレビュー' }).click();
      const proposal = p.locator('[data-testid="text-db-1"]');
      await proposal.waitFor();
      expect(await proposal.locator('[data-testid="text-status"]').innerText()).toBe('案（データから自動作成・未保存）');
      const ja = proposal.locator('textarea').first();
      await ja.fill(`${await ja.inputValue()}\n増強は来週の保守時間に実施します。`);
      await proposal.getByRole('button', { name: '下書きとして保存' }).click();
      await expect.poll(() => proposal.locator('[data-testid="text-status"]').innerText()).toMatch(/^編集中 · v1 · kondo · /);
      await proposal.getByRole('button', { name: '財団へ提案済みにする…' }).click();
      await proposal.getByRole('button', { name: '財団へ提案済みにする', exact: true }).click();
      await expect.poll(() => proposal.locator('[data-testid="text-status"]').innerText()).toMatch(/^財団へ提案済み · v2 · kondo · /);
      expect(await ja.getAttribute('readonly')).not.toBeNull();
      await p.screenshot({ path: path.join(ARTIFACTS, 'reports-proposal.png'), fullPage: true });
      // The server kept both versions, with who.
      const texts = (await (await fetch(`${server.url}/api/v1/reports/texts?kind=capacity_proposal`, { headers: { authorization: `Bearer ${server.adminKey}` } })).json()) as { texts: unknown[] };
      expect(texts.texts).toMatchObject([{ subject: 'db-1', version: 2, status: 'proposed', by: 'kondo', text_ja: expect.stringContaining('増強は来週の保守時間に実施します。') }]);

      // Asked for the CPU rows behind the review: the requests page is filled in with its 90 days, every host of the environment.
      await p.locator('[data-testid="raw-kind"]').selectOption('cpu');
      await p.locator('[data-testid="request-raw"]').click();
      await requestAndCheck(p, { kind: 'cpu', hosts: [], environment: 'production' });
      await p.goto(`${server.url}/reports?environment=production`);

      await p.locator('select[name="kind"]').selectOption('annual');
      await p.getByRole('button', { name: 'プレビュー' }).click();
      const plan = p.locator('section.text');
      await plan.waitFor();
      // The twelve months side by side, the last one last month.
      const months = p.locator('[data-testid="preview-months"] tbody tr');
      expect(await months.count()).toBe(12);
      expect(await months.last().locator('td').first().innerText()).toBe(await p.locator('input[type="month"]').inputValue().then((first) => monthAfter(first, 11)));
      // The plan is still the unsaved draft: issuing asks first, and nothing leaves until confirmed.
      let downloads = 0;
      p.on('download', () => downloads++);
      await p.locator('[data-testid="download-xlsx"]').click();
      const confirm = p.locator('[data-testid="confirm-unsaved-plan"]');
      expect(await confirm.innerText()).toContain('改善計画はまだ保存されていません');
      await confirm.getByRole('button', { name: 'やめる' }).click();
      expect(await confirm.count()).toBe(0);
      await p.locator('[data-testid="open-html"]').click();
      expect(await confirm.count()).toBe(1);
      expect(p.context().pages()).toHaveLength(1);
      await confirm.getByRole('button', { name: 'やめる' }).click();
      expect(downloads).toBe(0);
      await plan.locator('textarea').nth(1).fill('- Scale db-1 up before December.');
      await plan.locator('textarea').first().fill('・12 月までに db-1 を増強する。');
      await plan.getByRole('button', { name: '下書きとして保存' }).click();
      await expect.poll(() => plan.locator('[data-testid="text-status"]').innerText()).toMatch(/^編集中 · v1/);
      await plan.getByRole('button', { name: '発行する…' }).click();
      await plan.getByRole('button', { name: '発行する', exact: true }).click();
      await expect.poll(() => plan.locator('[data-testid="text-status"]').innerText()).toMatch(/^発行済み · v2/);
      // Saved and issued: the XLSX comes straight away.
      const [xlsx] = await Promise.all([p.waitForEvent('download'), p.locator('[data-testid="download-xlsx"]').click()]);
      expect(xlsx.suggestedFilename()).toMatch(/^mimamori-annual-/);
      expect(await p.locator('[data-testid="confirm-unsaved-plan"]').count()).toBe(0);
      expect(await violations(p)).toEqual([]);

      // The raw rows behind the monthly report leave only through a four-eyes request, filled in from the report, of the kind chosen.
      await p.locator('select[name="kind"]').selectOption('monthly');
      const month = await p.locator('input[type="month"]').inputValue();
      await p.locator('[data-testid="raw-kind"]').selectOption('logs');
      await p.locator('[data-testid="request-raw"]').click();
      expect(await p.locator('[data-testid="create-request"] input[name="from"]').inputValue()).toBe(`${month}-01T00:00`);
      await requestAndCheck(p, { kind: 'logs', environment: 'production', from: Date.parse(`${month}-01T00:00:00+09:00`) });
    } finally {
      await op.context.close();
    }
  });
});
