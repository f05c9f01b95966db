import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mimamori.js');
const DAY = 86_400_000;

describe('mimamori report capacity and monthly through a running server', () => {
  it('shows the server\'s phases as progress, writes the files, and each issue is in the audit trail', async () => {
    const dataDir = tempDir();
    const server = await startServerProcess({ MIMAMORI_DATA: dataDir });
    const env = { ...process.env, MIMAMORI_DATA: dataDir, MIMAMORI_URL: server.url };
    const tokyo = new Date(Date.now() + 9 * 3_600_000);
    const todayStart = Date.UTC(tokyo.getUTCFullYear(), tokyo.getUTCMonth(), tokyo.getUTCDate()) - 9 * 3_600_000;
    const lastMonthTenth = Date.UTC(tokyo.getUTCFullYear(), tokyo.getUTCMonth() - 1, 10, 3);
    const month = new Date(lastMonthTenth).toISOString().slice(0, 7);
    // cli-db climbs 2 points a day over the 16 days before today (40 % … 70 %): it reaches 80 % within the 90-day horizon.
    const cpu = Array.from({ length: 16 }, (_, d) => [0, 1, 2].map((m) => ({ timestamp: todayStart - (16 - d) * DAY + 3 * 3_600_000 + m * 60_000, environment: 'production', host: 'cli-db', name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 40 + 2 * d }))).flat();
    cpu.push({ timestamp: lastMonthTenth, environment: 'production', host: 'cli-db', name: 'cpu_utilisation_percent', labels: { cpu: 'total' }, value: 50 });
    try {
      expect((await server.ingest('metrics', cpu)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 600));

      const xlsx = path.join(dataDir, 'capacity.xlsx');
      const capacity = await run(process.execPath, [BIN, 'report', 'capacity', '--environment', 'production', '--format', 'xlsx', '--lang', 'en', '--out', xlsx], { env });
      expect(capacity.stderr).toContain('3/3 forecasts');
      expect(capacity.stderr).toContain(`wrote ${xlsx}`);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(xlsx);
      const hosts = book.getWorksheet('CPU capacity outlook')!;
      expect(hosts.getRow(1).values).toEqual([undefined, 'Host', 'Agreed threshold (%)', 'Latest day p95 (%)', 'Days over', '30-day trend', '30 days: crosses', '90-day trend', '90 days: crosses', '90 days: range (95 %)', 'Proposal needed']);
      expect(hosts.getRow(2).getCell(1).value).toBe('cli-db');
      expect(hosts.getRow(2).getCell(2).value).toBe(80);
      expect(hosts.getRow(2).getCell(3).value).toBe(70);
      expect(hosts.getRow(2).getCell(10).value).toBe('yes');
      const proposals = book.getWorksheet('Capacity-review proposals')!;
      expect(proposals.getRow(2).getCell(1).value).toBe('cli-db');
      expect(proposals.getRow(2).getCell(2).value).toBe('drafted from the data, not saved');

      const json = path.join(dataDir, 'monthly.json');
      const monthly = await run(process.execPath, [BIN, 'report', 'monthly', '--month', month, '--format', 'json', '--out', json], { env });
      expect(monthly.stderr).toContain('4/4');
      expect(monthly.stderr).toMatch(/capacity review|page loads|previous month|targets, incidents, CPU/);
      expect(monthly.stderr).not.toContain('months');
      const report = JSON.parse(fs.readFileSync(json, 'utf8'));
      expect(report.month).toBe(month);
      const host = report.hosts.find((h: { host: string }) => h.host === 'cli-db');
      expect(host).toMatchObject({ threshold_percent: 80 });
      expect(host.peak_percent).toBeGreaterThanOrEqual(50);
      expect(['crosses', 'not_rising', 'not_enough_data', 'over']).toContain(host.forecast);
      expect(host).toHaveProperty('proposal_status');

      const { entries } = await server.get<{ entries: { action: string; object: Record<string, unknown>; result: string; status: number }[] }>('/api/v1/audit?action=reports');
      expect(entries).toContainEqual(expect.objectContaining({ action: 'GET /api/v1/reports/capacity', result: 'ok', status: 200, object: { report: 'capacity', environment: 'production', format: 'xlsx' } }));
      expect(entries).toContainEqual(expect.objectContaining({ action: 'GET /api/v1/reports/monthly', result: 'ok', status: 200, object: { report: 'monthly', month, environment: 'production', format: 'json' } }));
    } finally {
      await server.stop();
    }
  }, 120_000);
});
