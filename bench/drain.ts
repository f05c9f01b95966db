// Drain's own speed (issue 18): Drain.add (masking included) over 1,000,000
// log lines generated from 50 templates with varying values (~120 bytes a
// line, 7 of the templates Japanese), three times, each with a fresh Drain:
// lines/s (median), the heap a Drain keeps after the run, the clusters it
// learned, and how well they match the templates the lines came from
// (pairwise F1 over all pairs of lines, from the contingency table). Then
// the heap of a Drain filled to maxClusters (capped_*). BENCH_LINES shrinks
// it. Target: ≥ 200,000 lines/s on one core.
import v8 from 'node:v8';
import vm from 'node:vm';
import { Drain } from '../server/patterns/drain.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = 3;

// A small seeded generator (mulberry32), so every run sees the same lines.
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]) => items[int(items.length)]!;
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const ip = () => `10.${int(256)}.${int(256)}.${int(256)}`;
const ip6 = () => `2001:db8:${hex(4)}::${hex(3)}`;
const pad = (n: number) => String(n).padStart(2, '0');
const ts = () => `2026-11-${pad(1 + int(30))}T${pad(int(24))}:${pad(int(60))}:${pad(int(60))}.${String(int(1000)).padStart(3, '0')}Z`;
const ms = () => `${1 + int(5000)}ms`;
const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const stores = ['渋谷店', '新宿店', '梅田店', '博多店', '札幌店'];
const paths = ['/api/v1/orders', '/api/v1/cart/items', '/api/v1/search', '/api/v1/users/me', '/static/app.js'];
const queues = ['mail', 'search', 'billing', 'thumbnails'];
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const TEMPLATES: (() => string)[] = [
  () => `${ip()} - - [30/Nov/2026:10:${pad(int(60))}:${pad(int(60))} +0900] "GET ${pick(paths)}/${int(99999)} HTTP/1.1" 200 ${int(90000)} "-" "${UA}"`,
  () => `${ip()} - - [30/Nov/2026:10:${pad(int(60))}:${pad(int(60))} +0900] "POST ${pick(paths)} HTTP/2.0" ${pick([201, 400, 409])} ${int(900)} "-" "curl/8.5.0"`,
  () => `Order ${int(1e6)} placed by customer ${int(1e5)} total ${int(100000)} JPY via ${pick(['card', 'paypay', 'konbini'])} in ${ms()}, shipping ${pick(['standard', 'express'])} to ${pick(['東京都', '大阪府', '福岡県'])}`,
  () => `Payment gateway responded slowly: ${ms()} for order ${int(1e6)} (attempt ${1 + int(3)}/3) trace=${hex(32)}`,
  () => `Failed to place order ${int(1e6)}: org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection`,
  () => `\tat jp.example.shop.orders.service.${pick(['OrderService', 'OrderController', 'PaymentClient', 'StockReserver'])}.${pick(['place', 'create', 'charge', 'reserve'])}(${pick(['OrderService', 'Controller'])}.java:${int(900)}) ~[orders-core-2.14.${int(9)}.jar:2.14.${int(9)}]`,
  () => `Caused by: java.sql.SQLTransientConnectionException: HikariPool-${1 + int(2)} - Connection is not available, request timed out after ${ms()}.`,
  () => `\t... ${int(120)} common frames omitted while handling request ${uuid()} on thread http-nio-8080-exec-${int(200)}`,
  () => `Error: connect ECONNREFUSED ${ip()}:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16) {errno: -111}`,
  () => `TypeError: Cannot read properties of undefined (reading 'price')\n    at CartService.total (/srv/app/dist/cart/service.js:${int(200)}:${int(80)})`,
  () => `request completed {"method":"GET","url":"${pick(paths)}/${int(9999)}","statusCode":200,"responseTime":${int(900)}.${int(10)},"reqId":"${hex(8)}"}`,
  () => `payment callback from gateway {"order_id": ${int(1e6)}, "status": "${pick(['captured', 'declined', 'pending'])}", "amount": ${int(50000)}, "card": "${pick(['visa', 'jcb', 'amex'])}"}`,
  () => `session ${uuid()} expired after ${pick(['30m', '45m', '2h'])} idle for user ${int(1e5)} on device ${hex(12)}`,
  () => `ユーザー ${int(1e5)} のログインに失敗しました（理由: ${pick(['パスワード不一致', 'アカウントロック中', '二段階認証コード不一致'])}） 接続元 ${ip()}`,
  () => `予約 R-202611${pad(1 + int(30))}-${String(int(9999)).padStart(4, '0')} を確定しました（店舗: ${pick(stores)}, 人数: ${1 + int(8)}名, 日時: ${1 + int(12)}月${1 + int(28)}日 ${int(24)}時${pad(int(60))}分）`,
  () => `メンテナンスを 2026年12月${1 + int(28)}日 ${int(6)}時00分 から ${6 + int(4)}時00分 まで実施します。対象: ${pick(stores)} 予約システム`,
  () => `令和8年${1 + int(12)}月${1 + int(28)}日付で契約 C-${int(99999)} を更新しました 担当者 ${pick(users)} 次回更新日 2027-${pad(1 + int(12))}-01`,
  () => `決済処理がタイムアウトしました 注文番号=${int(1e6)} 経過時間=${ms()} 決済代行会社=${pick(['GMO', 'SBPS', 'Stripe'])} 再試行=${int(3)}回目`,
  () => `在庫引当に失敗しました 商品コード=SKU-${int(99999)} 倉庫=${pick(['千葉', '大阪', '福岡'])} 要求数=${1 + int(20)} 在庫数=${int(5)}`,
  () => `ポイントを付与しました 会員番号=${int(1e7)} 付与ポイント=${int(500)} 有効期限=${2027}年${1 + int(12)}月${1 + int(28)}日 キャンペーン=${pick(['冬', '歳末'])}`,
  () => `msg="password reset requested" email=${pick(users)}.${int(999)}@example.co.jp remote=${ip()} request_id=${uuid()}`,
  () => `msg="login succeeded" user_id=${int(1e5)} remote=${pick([ip(), ip6()])} mfa=${pick(['totp', 'none', 'webauthn'])} took=${ms()} session=${uuid()}`,
  () => `msg="upstream request failed" upstream=${pick(['inventory', 'pricing'])} status=${pick([502, 503, 504])} attempt=${int(4)} err="context deadline exceeded" trace_id=${hex(32)}`,
  () => `msg="token refreshed" client_id=${hex(16)} scope="orders:read orders:write" expires_in=${pick(['3600s', '1h', '90m'])} remote=${ip()}`,
  () => `duration: ${int(5000)}.${int(999)} ms  statement: SELECT * FROM orders WHERE customer_id = ${int(1e5)} ORDER BY created_at DESC LIMIT 50`,
  () => `checkpoint complete: wrote ${int(5000)} buffers (${int(30)}.${int(9)}%); 0 WAL file(s) added, ${int(3)} removed, ${int(4)} recycled; write=${int(300)}.${int(999)} s`,
  () => `connection authorized: user=${pick(['app', 'readonly', 'batch'])} database=shop application_name=${pick(['order-service', 'checkout-api', 'psql'])} host=${ip()} port=${int(65535)}`,
  () => `automatic vacuum of table "shop.public.${pick(['orders', 'carts', 'events'])}": index scans: ${int(3)} pages: ${int(9000)} removed, ${int(90000)} remain, elapsed ${int(99)}.${int(99)} s`,
  () => `Task tasks.${pick(['send_receipt', 'rebuild_index', 'resize_image'])}[${uuid()}] succeeded in ${int(9)}.${int(999)}s: None (queue=${pick(queues)})`,
  () => `Received task: tasks.${pick(['send_receipt', 'rebuild_index'])}[${uuid()}] in queue ${pick(queues)} from ${pick(users)}@example.jp eta=${ts()}`,
  () => `worker memory at ${int(1024)} MiB (limit ${pick([512, 1024, 2048])} MiB), pool 0x${hex(12)}, tasks in flight ${int(64)}, rss ${int(2048)} MiB`,
  () => `Pod ${pick(['api', 'worker', 'web'])}-${hex(10)}-${hex(5)} in namespace shop was OOMKilled (exit code 137), restarting in ${pick(['10s', '20s', '40s', '1m20s'])}`,
  () => `Readiness probe failed: Get "http://${ip()}:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
  () => `Successfully pulled image "registry.example.jp/shop/${pick(['api', 'worker'])}:v1.${int(40)}.${int(10)}" in ${int(30)}.${int(999)}s (${int(99)}.${int(999)}s including waiting)`,
  () => `Scaled up replica set ${pick(['api', 'worker'])}-${hex(10)} to ${1 + int(12)} from ${1 + int(12)} because cpu utilization ${int(100)}% is above target 70%`,
  () => `cache miss for key ${pick(['profile', 'cart', 'price', 'stock'])}:${int(1e5)} in region ${pick(['tokyo', 'osaka'])} after ${ms()}, fetching from origin ${ip()}`,
  () => `evicted ${int(5000)} keys from cache ${pick(['sessions', 'prices'])} (used ${int(4096)} MiB of ${pick([4096, 8192])} MiB) in ${ms()} at ${ts()}`,
  () => `rate limit exceeded for api key ${hex(24)} on route ${pick(paths)}: ${int(1000)} requests in ${pick(['1m', '10s'])}, limit ${pick([600, 100])}`,
  () => `webhook delivery to https://hooks.example.com/${hex(8)}?source=shop&event=${pick(['order.created', 'order.paid'])} failed with status ${pick([500, 502])} after ${ms()}`,
  () => `sent mail ${uuid()} to ${pick(users)}@example.com via smtp ${ip()}:587 in ${ms()} size ${int(90000)} bytes template=${pick(['receipt', 'reset'])}`,
  () => `uploaded object images/${int(1e6)}/${hex(16)}.jpg to bucket shop-media (${int(9000)} KiB) in ${ms()} etag ${hex(32)}`,
  () => `GC pause (G1 Evacuation Pause) (young) ${int(4096)}M->${int(2048)}M(${pick([4096, 8192])}M) ${int(200)}.${int(999)}ms on ${pick(['order-service', 'search'])}, heap after GC ${int(80)}% of max, ${int(16)} regions`,
  () => `heartbeat from agent ${pick(['ap-1', 'ap-2', 'db-1', 'batch-1'])} version 0.${int(9)}.${int(9)} lag ${ms()} queue ${int(9999)} spool ${int(999)} MiB at ${ts()}`,
  () => `Started ${pick(['nightly-report', 'sitemap', 'reindex'])} job ${int(1e6)} at ${ts()} with ${int(40)} shards and ${int(8)} workers on host batch-${int(9)}`,
  () => `Finished ${pick(['nightly-report', 'sitemap', 'reindex'])} job ${int(1e6)} in ${pick(['12m30s', '1h2m', '45.5s'])}: ${int(1e6)} rows, ${int(99)} warnings, ${int(5)} errors, report s3://shop-reports/${hex(12)}.csv`,
  () => `disk usage on ${pick(['/var/lib/postgresql', '/data', '/var/log'])} is ${50 + int(50)}% (${int(900)} GiB of ${pick([1000, 2000])} GiB) on host ${pick(['db-1', 'db-2'])}, device /dev/nvme${int(4)}n1, inodes ${int(100)}% used`,
  () => `certificate for ${pick(['shop.example.jp', 'api.example.jp'])} expires in ${int(30)} days on 2026-12-${pad(1 + int(30))}, renewal scheduled by acme account ${int(99999)}`,
  () => `TLS handshake failed with ${ip()}:${int(65535)}: remote error: tls: ${pick(['bad certificate', 'unknown ca', 'handshake failure'])} (server name shop.example.jp, protocol TLSv1.3)`,
  () => `Kafka consumer group shop-${pick(['orders', 'events'])} partition ${int(12)} lag ${int(99999)} offset ${int(1e9)} rebalance generation ${int(99)} member consumer-${int(9)}-${uuid()}`,
  () => `feature flag ${pick(['new-checkout', 'points-v2', 'search-ai'])} evaluated to ${pick(['true', 'false'])} for user ${int(1e5)} (rule ${int(9)}, bucket ${int(100)}) in environment production, sdk node-server 7.${int(9)}.${int(9)}`,
];

function generate(count: number): { lines: string[]; labels: Uint8Array } {
  const lines = new Array<string>(count);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = int(TEMPLATES.length);
    lines[i] = TEMPLATES[labels[i]!]!();
  }
  return { lines, labels };
}

/** Pairwise precision/recall/F1 from the (label, cluster) contingency table, without looking at every pair. */
function pairwiseF1(labels: Uint8Array, clusters: string[]) {
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const count = (keys: Iterable<string>) => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m.values()].reduce((sum, n) => sum + pairs(n), 0);
  };
  const together = count((function* () { for (let i = 0; i < clusters.length; i++) yield `${labels[i]} ${clusters[i]}`; })());
  const sameLabel = count(Array.from(labels, String));
  const sameCluster = count(clusters);
  const precision = together / sameCluster;
  const recall = together / sameLabel;
  return { precision: round(precision), recall: round(recall), f1: round((2 * precision * recall) / (precision + recall)) };
}
const round = (x: number) => Math.round(x * 1000) / 1000;

// Heap is measured inside functions, with what must stay alive used after the
// measurement: V8 frees a local it sees no later use of, even mid-function.
function usedMiB(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}
const round2 = (x: number) => Math.round(x * 100) / 100;

/** One timed pass over every line with a fresh Drain: its rate, clusters, the heap it grew and its grouping accuracy. */
function run(lines: string[], labels: Uint8Array, ids: string[]) {
  const before = usedMiB();
  const drain = new Drain();
  const started = performance.now();
  for (let i = 0; i < lines.length; i++) ids[i] = drain.add(lines[i]!).id;
  const rate = Math.round(lines.length / ((performance.now() - started) / 1000));
  const heapMiB = round2(usedMiB() - before);
  return { rate, heapMiB, clusters: drain.clusters().length, accuracy: pairwiseF1(labels, ids.map((id) => drain.resolve(id)!)), lines: lines.length };
}

/** A Drain at its cap: 20,000 lines of random words (nothing to mask, nothing in common) fill maxClusters (10,000). */
function full() {
  const word = () => Array.from({ length: 3 + int(8) }, () => 'abcdefghijklmnopqrstuvwxyz'[int(26)]).join('');
  const lines = Array.from({ length: 20_000 }, () => Array.from({ length: 6 + int(10) }, word).join(' '));
  const before = usedMiB();
  const drain = new Drain();
  for (const line of lines) drain.add(line);
  const heapMiB = round2(usedMiB() - before);
  return { clusters: drain.clusters().length, heapMiB, lines: lines.length };
}

const { lines, labels } = generate(LINES);
const bytes = lines.reduce((sum, l) => sum + Buffer.byteLength(l), 0);
const ids = new Array<string>(LINES).fill('');
const runs = Array.from({ length: RUNS }, () => run(lines, labels, ids));
const rates = runs.map((r) => r.rate).sort((a, b) => a - b);
const last = runs[RUNS - 1]!;
const capped = full();
console.log(JSON.stringify({
  bench: 'drain', lines: LINES, lines_per_s: rates[1], lines_per_s_runs: rates, clusters: last.clusters, templates: TEMPLATES.length,
  heap_mib: Math.max(...runs.map((r) => r.heapMiB)), mean_line_bytes: Math.round(bytes / LINES), ...last.accuracy,
  capped_clusters: capped.clusters, capped_heap_mib: capped.heapMiB,
}));
