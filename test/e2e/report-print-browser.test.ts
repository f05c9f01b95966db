import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { openWatchedPage, violations } from '../helpers/browser.ts';
import { ensureDebianProgram } from '../helpers/debian.ts';
import { sql, ts, typed } from '../../server/storage/sql.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const jst = (wall: string) => Date.parse(`${wall}+09:00`);
let rt: TestRuntime;
let url: string;

beforeAll(async () => {
  // Japanese text prints in a Japanese font: Debian's IPA Gothic.
  ensureDebianProgram('/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf', 'fonts-ipafont-gothic');
  let clock = jst('2026-10-02T09:00');
  rt = await openTestRuntime({ yaml: 'agent: { enabled: false }\nrules: []\n', now: () => clock });
  // 24 targets with long names for a day; target-07 answers in 6–8 s.
  await rt.storage.command(sql`
    INSERT INTO probes (timestamp, environment, target, url, ok, status, total_ms)
    SELECT ${ts(jst('2026-10-01T00:00'))} + toIntervalMinute(intDiv(number, 24)), 'production',
      concat('portal-service-with-a-long-name-', leftPad(toString(number % 24), 2, '0')), 'https://example.jp/', true, 200,
      if(number % 24 = 7, 6000 + number % 2000, 150 + number % 300)
    FROM numbers(${typed(24 * 1440, 'UInt32')})`);
  // 40 tickets with Japanese titles: the incident table runs over more than one page.
  for (let i = 0; i < 40; i++) {
    clock = jst('2026-10-03T09:00') + i * 3_600_000;
    const t = await rt.alerting.ledger.openManual({ type: 'incident', title: `ポータルの応答遅延 第${i + 1}報（長い件名が折り返して印刷されることを確かめる）`, environment: 'production', severity: i % 3 ? 'warning' : 'critical' }, { name: 'sato', role: 'operator' });
    clock += 600_000;
    await rt.alerting.ledger.acknowledge(t.number, { name: 'sato', role: 'operator' });
  }
  clock = jst('2026-11-05T09:00');
  url = `${await rt.app.listen({ host: '127.0.0.1', port: 0 })}/api/v1/reports/monthly?month=2026-10&environment=production&format=html`;
}, 120_000);
afterAll(async () => rt?.close());

describe('the printable monthly report', () => {
  it('prints to A4 PDF in a Japanese font, every table within the page, the 5 s chart as SVG, and no CSP violation', async () => {
    const { context, page } = await openWatchedPage({ width: 794, height: 1123 }); // A4 at 96 dpi
    try {
      await context.setExtraHTTPHeaders({ authorization: rt.admin.authorization });
      const res = await page.goto(url);
      expect(res?.status()).toBe(200);
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('h1').textContent()).toBe('月次報告 2026-10 — production');
      // Nothing wider than the printable width (A4 less the margins).
      const overflow = await page.evaluate(`(() => {
        const main = document.querySelector('main');
        return [...document.querySelectorAll('table, figure')].filter((e) => e.scrollWidth > main.clientWidth + 1).length + (document.documentElement.scrollWidth > window.innerWidth ? 1 : 0);
      })()`);
      expect(overflow).toBe(0);
      // The slow target's bar is red, past the 5 s line.
      expect(await page.locator('svg rect[fill="#c81e1e"]').count()).toBe(1);
      expect(await page.locator('svg rect').count()).toBe(24);
      expect(await violations(page)).toEqual([]);
      const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      fs.writeFileSync(path.join(ARTIFACTS, 'report-monthly.pdf'), pdf);
      await page.screenshot({ path: path.join(ARTIFACTS, 'report-monthly.png'), fullPage: true });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      // 24 targets, the chart and 40 tickets: several pages, not one squeezed nor dozens.
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(pages).toBeLessThanOrEqual(15);
      expect(pdf.toString('latin1')).toMatch(/\/BaseFont\s*\/[A-Z]{6}\+IPA/);
    } finally {
      await context.close();
    }
  });
});
