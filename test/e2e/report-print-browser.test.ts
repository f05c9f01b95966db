import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { openWatchedPage, violations } from '../helpers/browser.ts';
import { ensureDebianProgram } from '../helpers/debian.ts';
import { sql, ts, typed } from '../../server/storage/sql.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const jst = (wall: string) => Date.parse(`${wall}+09:00`);
const DAY_MS = 86_400_000;
/**
 * A4 less the page's 12 mm side margins (@page in server/reports/page.ts), in
 * CSS pixels at 96 dpi: 186 mm upright, 273 mm on its side (the annual
 * analysis, twelve months wide).
 */
const PRINTABLE_PX = { portrait: Math.floor((186 / 25.4) * 96), landscape: Math.floor((273 / 25.4) * 96) };
type Orientation = keyof typeof PRINTABLE_PX;
const TARGETS = Array.from({ length: 24 }, (_, i) => `portal-service-with-a-long-name-${String(i).padStart(2, '0')}`);
/** The months of the annual analysis printed below (November 2025 – October 2026). */
const YEAR = Array.from({ length: 12 }, (_, i) => `${2025 + Math.floor((10 + i) / 12)}-${String(((10 + i) % 12) + 1).padStart(2, '0')}`);
let rt: TestRuntime;
let base: string;

/** `minutes` one-minute samples of `percent` from `start`, for the all-core series of `host`. */
const cpu = (host: string, start: number, minutes: number, percent: number) => rt.storage.command(sql`
  INSERT INTO metrics (timestamp, environment, host, name, labels, value)
  SELECT ${ts(start)} + toIntervalMinute(number), 'production', ${host}, 'cpu_utilisation_percent', map('cpu', 'total'), ${typed(percent, 'Float64')}
  FROM numbers(${typed(minutes, 'UInt32')})`);

beforeAll(async () => {
  // Japanese text prints in a Japanese font: Debian's IPA Gothic.
  ensureDebianProgram('/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf', 'fonts-ipafont-gothic');
  let clock = jst('2026-10-02T09:00');
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\n', now: () => clock });
  // 24 targets with long names for all of 1 October; target-07 answers in 6–8 s.
  await rt.storage.command(sql`
    INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms)
    SELECT ${ts(jst('2026-10-01T00:00'))} + toIntervalMinute(intDiv(number, 24)), 'production',
      concat('portal-service-with-a-long-name-', leftPad(toString(number % 24), 2, '0')), 'https://example.jp/', true, 200,
      if(number % 24 = 7, 6000 + number % 2000, 150 + number % 300)
    FROM numbers(${typed(24 * 1440, 'UInt32')})`);
  // The same targets for an hour on the 10th of the eleven months before: the annual table is 24 rows by 12 months.
  for (const month of YEAR.slice(0, 11)) {
    await rt.storage.command(sql`
      INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms)
      SELECT ${ts(jst(`${month}-10T12:00`))} + toIntervalMinute(intDiv(number, 24)), 'production',
        concat('portal-service-with-a-long-name-', leftPad(toString(number % 24), 2, '0')), 'https://example.jp/', true, 200, 150 + number % 300
      FROM numbers(${typed(24 * 60, 'UInt32')})`);
  }
  // Eight hosts: ten minutes on the 10th of each month of the year for the annual analysis, and ten minutes a day
  // over the 90 days the capacity review (on 5 November) reads. db-primary-01 climbs to 81.7 % (over 80 %, a
  // proposal); app-server-03 to 66.7 %, rising 0.3 a day, so it crosses 80 % within the 90-day horizon (a proposal).
  const reviewFrom = jst('2026-11-05T00:00') - 90 * DAY_MS;
  const hosts = ['db-primary-01', ...Array.from({ length: 7 }, (_, i) => `app-server-${String(i + 2).padStart(2, '0')}`)];
  for (const [h, host] of hosts.entries()) {
    for (const [m, month] of YEAR.slice(0, 9).entries()) await cpu(host, jst(`${month}-10T03:00`), 10, 30 + h * 3 + m);
    for (let day = 0; day < 90; day++) {
      const percent = host === 'db-primary-01' ? 55 + 0.3 * day : host === 'app-server-03' ? 40 + 0.3 * day : 30 + h * 3 + (day % 5);
      await cpu(host, reviewFrom + day * DAY_MS + 3 * 3_600_000, 10, percent);
    }
  }
  // 40 tickets with Japanese titles: the incident table runs over more than one page.
  for (let i = 0; i < 40; i++) {
    clock = jst('2026-10-03T09:00') + i * 3_600_000;
    const t = await rt.alerting.ledger.openManual({ type: 'incident', title: `ポータルの応答遅延 第${i + 1}報（長い件名が折り返して印刷されることを確かめる）`, environment: 'production', severity: i % 3 ? 'warning' : 'critical' }, { name: 'sato', role: 'operator' });
    clock += 600_000;
    await rt.alerting.ledger.acknowledge(t.number, { name: 'sato', role: 'operator' });
  }
  clock = jst('2026-11-05T09:00');
  base = `${await rt.app.listen({ host: '127.0.0.1', port: 0 })}/api/v1/reports`;
}, 180_000);
afterAll(async () => rt?.close());

/** Elements whose box leaves the printable width, described (tag, class, edges), in print media at that width. */
const OUT_OF_WIDTH = `(() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.body.querySelectorAll('*')].filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5); });
  const page = document.documentElement.scrollWidth > width ? ['document ' + document.documentElement.scrollWidth] : [];
  return [...page, ...out.slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().left) + '–' + Math.round(e.getBoundingClientRect().right))];
})()`;

interface Printed { page: Page; pages: number; pdf: Buffer }

/** The first page's size in PDF points, from its MediaBox. */
const mediaBox = (pdf: Buffer) => {
  const [, , , w, h] = pdf.toString('latin1').match(/\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/)!.map(Number);
  return { width: w!, height: h! };
};

/** Opens a report's printable page at its printable width in print media, checks it, prints it to PDF and keeps the PDF and a screenshot. */
async function print(query: string, name: string, orientation: Orientation, check: (printed: Printed) => Promise<void>): Promise<void> {
  const { context, page } = await openWatchedPage({ width: PRINTABLE_PX[orientation], height: 1123 });
  try {
    await context.setExtraHTTPHeaders({ authorization: rt.admin.authorization });
    const res = await page.goto(`${base}/${query}&environment=production&format=html`);
    expect(res?.status()).toBe(200);
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate(OUT_OF_WIDTH), 'elements beyond the printable width').toEqual([]);
    expect(await violations(page)).toEqual([]);
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, `${name}.pdf`), pdf);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    // Japanese glyphs come from an embedded subset of IPA Gothic, not from boxes of a Latin font.
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont\s*\/[A-Z]{6}\+IPA/);
    // A4 (595 × 842 pt), upright or on its side as the page asks.
    const box = mediaBox(pdf);
    expect([Math.round(box.width), Math.round(box.height)]).toEqual(orientation === 'portrait' ? [595, 842] : [842, 595]);
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    await check({ page, pages, pdf });
  } finally {
    await context.close();
  }
}

describe('the printable reports, printed to A4 PDF in Debian\'s Chromium', () => {
  it('monthly: a Japanese font, every table within the page, the 5 s chart as SVG, and no CSP violation', async () => {
    await print('monthly?month=2026-10', 'report-monthly', 'portrait', async ({ page, pages }) => {
      expect(await page.locator('h1').textContent()).toBe('月次報告 2026-10 — production');
      // The slow target's bar is red, past the 5 s line.
      expect(await page.locator('svg rect[fill="#c81e1e"]').count()).toBe(1);
      expect(await page.locator('svg rect').count()).toBe(24);
      // 24 targets and their chart, eight hosts, 40 tickets: five pages when this was written.
      expect(pages).toBeGreaterThanOrEqual(4);
      expect(pages).toBeLessThanOrEqual(6);
    });
  });

  it('annual: on A4 landscape, twelve months of 24 long-named targets and 8 hosts fit the width, with a chart as SVG', async () => {
    await print('annual?from=2025-11', 'report-annual', 'landscape', async ({ page, pages }) => {
      expect(await page.locator('h1').textContent()).toBe('年次分析 2025-11 – 2026-10 — production');
      await expect(page.locator('h2').filter({ hasText: '月ごとの推移' }).count()).resolves.toBe(1);
      // Every month is a column of the per-target table.
      for (const month of YEAR) expect(await page.locator('th').filter({ hasText: month }).count(), month).toBeGreaterThan(0);
      expect(await page.locator('td').filter({ hasText: TARGETS[23]! }).count()).toBeGreaterThan(0);
      // Months and their charts, 24 targets, 8 hosts, causes and the plan: four landscape pages when this was written.
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(pages).toBeLessThanOrEqual(5);
      expect(await page.locator('main svg').count(), 'a chart of the year').toBeGreaterThan(0);
    });
  });

  it('capacity: each proposed host\'s daily chart as SVG, the tables within the width', async () => {
    await print('capacity?', 'report-capacity', 'portrait', async ({ page, pages }) => {
      expect(await page.locator('h1').textContent()).toBe('キャパシティレビュー — production');
      await expect(page.locator('h2').filter({ hasText: 'CPU 容量の見通し' }).count()).resolves.toBe(1);
      // Two hosts need a proposal (one over 80 %, one crossing within 90 days): a chart each, with its threshold line.
      const charts = page.locator('main figure svg');
      expect(await charts.count()).toBe(2);
      expect((await page.locator('figcaption').allTextContents()).map((t) => t.split(':')[0]).sort()).toEqual(['app-server-03', 'db-primary-01']);
      expect(await charts.first().locator('line[stroke-dasharray]').count()).toBe(1);
      // Eight hosts, two proposals and their charts: two pages.
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(pages).toBeLessThanOrEqual(3);
    });
  });
});
