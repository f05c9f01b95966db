import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithConfig, type ServerProcess } from '../helpers/server-process.ts';
import { createSignedInUser } from '../helpers/accounts.ts';
import { LISTEN_FOR_VIOLATIONS, launchBrowser, signInThrough, violations } from '../helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const OPERATOR = { id: 'suzuki', initial: 'Q8#lantern-Moss-2', chosen: 'Gr4nite*Heron-58' };
const APPROVER = { id: 'tanaka', initial: 'P3@orchard-Wren-44', chosen: 'Sl8te^Falcon-36' };
const ADMIN = { id: 'yamada', initial: 'V!olet-Harb0ur-91', chosen: 'Tw1light&Cedar-77' };

/**
 * Four-eyes requests, the audit trail and the hand-over ledger through the
 * built dashboard in Debian's Chromium, against a real server: an operator
 * asks for an export and cannot approve it; an approver in another browser
 * sees it pending and approves it; the operator then sees it ran and
 * downloads its CSV. An administrator reads and verifies the trail, and an
 * operator records a hand-over and its return. No page breaks the CSP.
 */
describe('requests, audit and hand-overs in a real browser', () => {
  let server: ServerProcess;
  const contexts: BrowserContext[] = [];
  let operator: Page;
  let approver: Page;
  let requestId = '';

  const openBrowser = async (): Promise<Page> => {
    const context = await launchBrowser({ width: 1400, height: 1000 });
    await context.addInitScript(LISTEN_FOR_VIOLATIONS);
    contexts.push(context);
    return context.pages()[0] ?? context.newPage();
  };
  const signInTo = (p: Page, where: string, user: typeof OPERATOR, heading: string) => signInThrough(p, server.url, where, user, heading);
  const card = (p: Page) => p.locator(`[data-request="${requestId}"]`);

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServerWithConfig('environments: [production]\nagent: { enabled: false }\n');
    await createSignedInUser(server.url, server.adminKey, { id: OPERATOR.id, role: 'operator', name: '鈴木 一郎', initial: OPERATOR.initial, chosen: OPERATOR.chosen });
    await createSignedInUser(server.url, server.adminKey, { id: APPROVER.id, role: 'approver', name: '田中 次郎', initial: APPROVER.initial, chosen: APPROVER.chosen });
    await createSignedInUser(server.url, server.adminKey, { id: ADMIN.id, role: 'admin', name: '山田 花子', initial: ADMIN.initial, chosen: ADMIN.chosen });
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await server?.stop();
  });

  it('an operator asks for an export of the audit trail, and cannot approve it', async () => {
    operator = await openBrowser();
    await signInTo(operator, '/requests', OPERATOR, '承認依頼');
    const nav = await operator.locator('nav').innerText();
    expect(nav).toContain('承認依頼');
    expect(nav).toContain('受け渡し台帳');
    expect(nav).not.toContain('監査証跡');
    await operator.getByText('依頼はありません').waitFor({ timeout: 5000 });

    await operator.locator('[data-testid="open-create-request"]').click();
    const form = operator.locator('[data-testid="create-request"]');
    await form.locator('select[name="operation"] option[value="export.audit"]').waitFor({ state: 'attached', timeout: 5000 });
    // The form is built from the fields the server lists for each operation, labelled in the person's language.
    expect(await form.locator('select[name="operation"]').inputValue()).toBe('export.telemetry');
    expect(await form.locator('select[name="kind"]').inputValue()).toBe('logs'); // a required choice starts at its first
    expect(await form.locator('[data-field="kind"]').innerText()).toContain('種類');
    await form.locator('select[name="operation"]').selectOption('retention.shorten');
    expect(await form.locator('select[name="table"]').inputValue()).toBe('logs');
    expect(await form.locator('input[name="toDays"]').getAttribute('type')).toBe('number');
    expect(await form.locator('input[name="to"]').count()).toBe(0);
    await form.locator('select[name="operation"]').selectOption('export.audit');
    expect(await form.locator('select[name="kind"]').count()).toBe(0); // its parameters: the time range, actor, action, result, role
    expect(await form.locator('input[name="to"]').getAttribute('type')).toBe('datetime-local');
    expect(await form.locator('[data-field="to"]').innerText()).toContain('空欄: 申請した時刻');
    expect(await form.locator('[data-field="to"]').innerText()).toContain('時刻は Asia/Tokyo');
    expect(await form.locator('input[name="actor"]').getAttribute('placeholder')).toBe('空欄: すべて');
    expect(await form.locator('select[name="result"] option').allInnerTexts()).toEqual(['すべて', 'ok', 'refused', 'failed']);
    await form.locator('input[name="actor"]').fill(OPERATOR.id);
    await form.locator('input[name="from"]').fill('2020-01-01T09:00'); // Tokyo: 00:00 UTC
    await form.locator('textarea[name="reason"]').fill('四半期の監査対応');
    await operator.screenshot({ path: path.join(ARTIFACTS, 'request-form.png'), fullPage: true });
    await form.locator('button[type="submit"]').click();
    const made = operator.locator('[data-testid="request-made"]');
    await made.waitFor({ timeout: 5000 });
    requestId = /REQ-[\w-]+/.exec(await made.innerText())![0];

    const mine = card(operator);
    await mine.waitFor({ timeout: 5000 });
    expect(await mine.getAttribute('data-state')).toBe('pending');
    expect(await mine.locator('[data-testid="state"]').innerText()).toBe('承認待ち');
    expect(await mine.innerText()).toContain('監査証跡を出力');
    expect(await mine.innerText()).toContain('四半期の監査対応');
    // What it will do, in the requester's language, with the range read in the configured zone.
    const description = await mine.locator('[data-testid="description"]').innerText();
    expect(description).toMatch(/^監査証跡（2020-01-01T00:00:00Z 〜 \S+、actor=suzuki）を CSV で出力$/);
    // Their own request: no Approve, only Withdraw; and past the page, the server refuses it too.
    expect(await mine.locator('[data-testid="approve"]').count()).toBe(0);
    expect(await mine.locator('[data-testid="withdraw"]').count()).toBe(1);
    expect(await mine.locator('[data-testid="own-request"]').count()).toBe(1);
    const refused = await operator.evaluate(async (id) => {
      const { csrf_token } = (await (await fetch('/api/v1/session')).json()) as { csrf_token: string };
      return (await fetch(`/api/v1/requests/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf_token }, body: '{}' })).status;
    }, requestId);
    expect(refused).toBe(403);
    expect(await violations(operator)).toEqual([]);
  });

  it('an approver sees it pending, approves it, and it runs', async () => {
    approver = await openBrowser();
    await signInTo(approver, '/requests', APPROVER, '承認依頼');
    const theirs = card(approver);
    await theirs.waitFor({ timeout: 5000 });
    expect(await theirs.getAttribute('data-state')).toBe('pending');
    expect(await approver.locator('[data-testid="pending-count"]').innerText()).toContain('承認待ち 1 件');
    expect(await theirs.innerText()).toContain(OPERATOR.id);
    const approved = approver.waitForResponse((r) => r.url().endsWith(`/api/v1/requests/${requestId}/approve`));
    await theirs.locator('[data-testid="approve"]').click();
    expect((await approved).status()).toBe(200);
    await approver.locator(`[data-request="${requestId}"][data-state="ran"]`).waitFor({ timeout: 10_000 });
    expect(await theirs.locator('[data-testid="result"]').innerText()).toMatch(/\d+ audit entries/);
    expect(await theirs.locator('[data-testid="download"]').count()).toBe(1); // the approver may download it too
    await approver.screenshot({ path: path.join(ARTIFACTS, 'requests.png'), fullPage: true });
    expect(await violations(approver)).toEqual([]);
  });

  it('the requester sees it ran and downloads the CSV', async () => {
    await operator.locator('[data-testid="refresh"]').click();
    const mine = card(operator);
    await operator.locator(`[data-request="${requestId}"][data-state="ran"]`).waitFor({ timeout: 5000 });
    expect(await mine.locator('[data-testid="state"]').innerText()).toBe('実行済み');
    expect(await mine.locator('[data-testid="approve"]').count()).toBe(0);
    const link = mine.locator('[data-testid="download"]');
    expect(await link.getAttribute('href')).toBe(`/api/v1/requests/${requestId}/files/audit.csv`);

    const [download] = await Promise.all([operator.waitForEvent('download', { timeout: 10_000 }), link.click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff); // UTF-8 with a byte-order mark, for spreadsheet programs
    expect(csv).toContain('"seq","at","actor"');
    expect(csv).toContain(`"${OPERATOR.id}","operator"`);
    const answer = await operator.evaluate((href) => fetch(href).then((r) => ({ status: r.status, type: r.headers.get('content-type') })), (await link.getAttribute('href'))!);
    expect(answer).toEqual({ status: 200, type: 'text/csv; charset=utf-8' });
    // The downloads are listed, by whom.
    await operator.locator('[data-testid="refresh"]').click();
    await mine.getByText('ダウンロード履歴 (2)').waitFor({ timeout: 5000 });
  });

  it('an administrator reads the trail a page at a time, filters it, verifies the chain, and asks for its export', async () => {
    // More than a page: every administrative read is in the trail.
    for (let i = 0; i < 100; i++) expect((await fetch(`${server.url}/api/v1/users`, { headers: { authorization: `Bearer ${server.adminKey}` } })).status).toBe(200);
    const admin = await openBrowser();
    await signInTo(admin, '/audit', ADMIN, '監査証跡');
    const rows = admin.locator('[data-testid="audit"] tr[data-seq]');
    await rows.first().waitFor({ timeout: 5000 });
    expect(await rows.count()).toBe(100);
    await admin.locator('[data-testid="more"]').click();
    await expect.poll(() => rows.count(), { timeout: 5000 }).toBeGreaterThan(100);
    await admin.getByText('これより古い記録はありません').waitFor({ timeout: 5000 });
    const seqs = (await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-seq'))))) as number[];
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a)); // newest first, none twice, none skipped
    expect(seqs.at(-1)).toBe(1);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs[0]! - seqs.at(-1)! + 1).toBe(seqs.length);
    expect(await admin.locator('[data-testid="audit"]').innerText()).toContain('POST /api/v1/requests/:id/approve');

    const filter = admin.locator('[data-testid="audit-filter"]');
    await filter.locator('input[name="actor"]').fill(APPROVER.id);
    await filter.locator('select[name="result"]').selectOption('ok');
    await filter.locator('button[type="submit"]').click();
    await expect.poll(async () => new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.children[2]?.textContent?.split(' ')[0]))), { timeout: 5000 }).toEqual(new Set([APPROVER.id]));

    await admin.locator('[data-testid="verify"]').click();
    const verified = admin.locator('[data-testid="verify-result"]');
    await verified.waitFor({ timeout: 10_000 });
    expect(await verified.getAttribute('data-ok')).toBe('true');
    expect(await verified.innerText()).toMatch(/改ざんはありません: \d+ 件/);

    await admin.locator('[data-testid="open-export"]').click();
    await admin.locator('[data-testid="export-audit"] textarea[name="reason"]').fill('監査法人への提出');
    await admin.locator('[data-testid="export-audit"] button[type="submit"]').click();
    const made = admin.locator('[data-testid="export-made"]');
    await made.waitFor({ timeout: 5000 });
    expect(await made.innerText()).toMatch(/REQ-[\w-]+/);
    await admin.screenshot({ path: path.join(ARTIFACTS, 'audit.png'), fullPage: true });
    await made.locator('a[href="/requests"]').click();
    const exported = admin.locator('[data-request][data-state="pending"]', { hasText: '監査法人への提出' });
    await exported.waitFor({ timeout: 5000 });
    // The whole filter shown went into the request, not the actor alone.
    expect(await exported.locator('[data-testid="description"]').innerText()).toContain(`actor=${APPROVER.id}, result=ok`);
    expect(await violations(admin)).toEqual([]);
  });

  it('an operator records a hand-over of confidential data and its return', async () => {
    await operator.locator('nav a[href="/handovers"]').click();
    await operator.getByRole('heading', { name: '機密データ受け渡し台帳' }).waitFor({ timeout: 5000 });
    await operator.getByText('記録はありません').waitFor({ timeout: 5000 });
    await operator.locator('[data-testid="open-record-handover"]').click();
    const form = operator.locator('[data-testid="record-handover"]');
    expect(await form.locator('input[name="handed_on"]').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/); // today, by default
    await form.locator('input[name="from"]').fill('鈴木 一郎');
    await form.locator('input[name="to"]').fill('株式会社サンプル 佐藤');
    await form.locator('textarea[name="content"]').fill('2026年11月のアクセスログ（本番）');
    await form.locator('input[name="means"]').fill('暗号化 USB');
    await form.locator('button[type="submit"]').click();
    const row = operator.locator('[data-testid="handovers"] tr[data-handover]');
    await row.waitFor({ timeout: 5000 });
    expect(await row.innerText()).toContain('暗号化 USB');
    expect(await row.locator('[data-testid="returned-on"]').innerText()).toBe('未返却');
    expect(await operator.locator('[data-testid="outstanding"]').innerText()).toContain('未返却 1 件');

    await row.locator('[data-testid="return"]').click();
    await operator.locator('[data-testid="confirm-return"]').click();
    await expect.poll(() => row.locator('[data-testid="returned-on"]').innerText(), { timeout: 5000 }).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await row.locator('[data-testid="return"]').count()).toBe(0);
    expect(await operator.locator('[data-testid="outstanding"]').count()).toBe(0);
    await operator.screenshot({ path: path.join(ARTIFACTS, 'handovers.png'), fullPage: true });
    expect(await violations(operator)).toEqual([]);
  });
});
