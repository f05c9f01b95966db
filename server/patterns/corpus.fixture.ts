// A labelled corpus of log messages written for the Drain tests: several
// services as Mimamori stores them (the message, without the timestamp and
// level the collector already parsed), each line with the template a person
// reading the code that logs it would give it, in Drain's terms (masked
// placeholders, a whole token `<*>` where it varies, tokens joined by one
// space). `drainMisses` says why Drain is known to get a group wrong (it
// splits one template or merges two): the pairwise scores count that
// against it, and only the other groups must come out exactly.

export interface CorpusGroup {
  service: string;
  template: string;
  drainMisses?: string;
  lines: string[];
}

const stores = ['渋谷店', '新宿店', '梅田店', '博多店', '札幌店'];
const nginx = (i: number, ua: string, request: string, status: number) =>
  `203.0.113.${(i * 37) % 250} - - [30/Nov/2026:10:${String(10 + i).padStart(2, '0')}:0${i % 10} +0900] "${request} HTTP/1.1" ${status} ${512 + i * 97} "-" "${ua}"`;
const WINDOWS_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const MAC_SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';
const requests = ['GET /api/v1/orders/1042', 'GET /static/app.3f9a2c1b.js', 'POST /api/v1/cart/items', 'GET /api/v1/search?q=ramen&page=2', 'GET /api/v1/orders/88213', 'DELETE /api/v1/cart/items/77'];

export const CORPUS: CorpusGroup[] = [
  // order-service (Java, Spring): messages, and a stack trace collected one frame a line.
  { service: 'order-service', template: 'Order <NUM> placed by customer <NUM> total <NUM> JPY', drainMisses: 'merged with the cancelled one', lines: ['Order 1042 placed by customer 77 total 5400 JPY', 'Order 1043 placed by customer 9 total 1280 JPY', 'Order 88213 placed by customer 1502 total 32800 JPY', 'Order 88214 placed by customer 77 total 980 JPY', 'Order 90001 placed by customer 311 total 12000 JPY'] },
  { service: 'order-service', template: 'Payment gateway responded slowly: <DURATION> for order <NUM> (attempt <NUM>/<NUM>)', lines: ['Payment gateway responded slowly: 2350ms for order 1042 (attempt 1/3)', 'Payment gateway responded slowly: 4.2s for order 88213 (attempt 2/3)', 'Payment gateway responded slowly: 1980ms for order 90001 (attempt 1/3)'] },
  { service: 'order-service', template: 'Failed to place order <NUM>: org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection', lines: ['Failed to place order 1044: org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection', 'Failed to place order 90002: org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection', 'Failed to place order 90007: org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection'] },
  { service: 'order-service', template: 'at <*>', lines: [
    '\tat org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122)',
    '\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:466)',
    '\tat org.springframework.transaction.support.AbstractPlatformTransactionManager.startTransaction(AbstractPlatformTransactionManager.java:531)',
    '\tat com.example.orders.OrderService$$SpringCGLIB$$0.place(<generated>)',
    '\tat com.example.orders.OrderController.create(OrderController.java:58)',
    '\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)',
    '\tat org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)',
    '\tat java.base/java.lang.Thread.run(Thread.java:1583)',
  ] },
  { service: 'order-service', template: 'Caused by: java.sql.SQLTransientConnectionException: HikariPool-<NUM> - Connection is not available, request timed out after <DURATION>', lines: ['Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms', 'Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30001ms', 'Caused by: java.sql.SQLTransientConnectionException: HikariPool-2 - Connection is not available, request timed out after 30000ms'] },
  { service: 'order-service', template: '... <NUM> common frames omitted', lines: ['\t... 87 common frames omitted', '\t... 64 common frames omitted', '\t... 87 common frames omitted'] },
  // The same words with another verb: a person sees two templates, Drain (8 of 9 tokens equal) one.
  { service: 'order-service', template: 'Order <NUM> cancelled by customer <NUM> total <NUM> JPY', drainMisses: 'merged with the placed one', lines: ['Order 1045 cancelled by customer 12 total 2200 JPY', 'Order 88215 cancelled by customer 77 total 640 JPY'] },

  // checkout-api (Node.js): an Error with its stack in one message (pino's err.stack), JSON in the message.
  { service: 'checkout-api', template: 'Error: connect ECONNREFUSED <IP> at TCPConnectWrap.afterConnect [as oncomplete] (node:net:<NUM>:<NUM>)', lines: ['Error: connect ECONNREFUSED 10.0.3.12:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)', 'Error: connect ECONNREFUSED 10.0.3.13:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)', 'Error: connect ECONNREFUSED [fd00:3::12]:6379\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)'] },
  { service: 'checkout-api', template: "TypeError: Cannot read properties of undefined (reading 'price') at CartService.total (/srv/app/dist/cart/service.js:<NUM>:<NUM>) at async CheckoutController.submit (/srv/app/dist/checkout/controller.js:<NUM>:<NUM>)", lines: [
    "TypeError: Cannot read properties of undefined (reading 'price')\n    at CartService.total (/srv/app/dist/cart/service.js:88:41)\n    at async CheckoutController.submit (/srv/app/dist/checkout/controller.js:31:19)",
    "TypeError: Cannot read properties of undefined (reading 'price')\n    at CartService.total (/srv/app/dist/cart/service.js:88:41)\n    at async CheckoutController.submit (/srv/app/dist/checkout/controller.js:31:19)",
    "TypeError: Cannot read properties of undefined (reading 'price')\n    at CartService.total (/srv/app/dist/cart/service.js:91:12)\n    at async CheckoutController.submit (/srv/app/dist/checkout/controller.js:31:19)",
  ] },
  { service: 'checkout-api', template: 'request completed <*>', lines: ['request completed {"method":"GET","url":"/api/cart/1042","statusCode":200,"responseTime":12.3}', 'request completed {"method":"POST","url":"/api/cart/items","statusCode":201,"responseTime":48.9}', 'request completed {"method":"GET","url":"/api/cart/88213","statusCode":200,"responseTime":7.1}', 'request completed {"method":"DELETE","url":"/api/cart/items/77","statusCode":204,"responseTime":9.6}'] },
  { service: 'checkout-api', template: 'payment callback {"order_id": <NUM>, "status": <*> "amount": <NUM>, "card": <*>', lines: ['payment callback {"order_id": 1042, "status": "captured", "amount": 5400, "card": "visa"}', 'payment callback {"order_id": 88213, "status": "declined", "amount": 32800, "card": "jcb"}', 'payment callback {"order_id": 90001, "status": "captured", "amount": 12000, "card": "amex"}', 'payment callback {"order_id": 90002, "status": "pending", "amount": 800, "card": "visa"}'] },
  { service: 'checkout-api', template: 'session <UUID> expired after <DURATION> idle', lines: ['session 550e8400-e29b-41d4-a716-446655440000 expired after 30m idle', 'session 6fa459ea-ee8a-3ca4-894e-db77e160355e expired after 30m idle', 'session 1b4e28ba-2fa1-11d2-883f-0016d3cca427 expired after 45m idle'] },

  // edge (nginx, combined format): the user agent's words change the token count, so each agent family is its own template.
  // (Chrome's version 131.0.0.0 is a well-formed IPv4 address, hence <IP>.)
  { service: 'edge', template: '<IP> - - [<TS>] <*> <*> HTTP/<NUM>" <NUM> <NUM> "-" "Mozilla/<NUM> (Windows NT <NUM>; Win64; x64) AppleWebKit/<NUM> (KHTML, like Gecko) Chrome/<IP> Safari/<NUM>"', lines: requests.map((r, i) => nginx(i, WINDOWS_CHROME, r, i === 2 ? 201 : 200)) },
  { service: 'edge', template: '<IP> - - [<TS>] <*> <*> HTTP/<NUM>" <NUM> <NUM> "-" "Mozilla/<NUM> (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/<NUM> (KHTML, like Gecko) Version/<NUM> Safari/<NUM>"', lines: requests.slice(0, 4).map((r, i) => nginx(i + 20, MAC_SAFARI, r, 200)) },
  { service: 'edge', template: '<IP> - - [<TS>] "GET <*> HTTP/<NUM>" <NUM> <NUM> "-" <*>', lines: [nginx(3, 'kube-probe/1.31', 'GET /healthz', 200), nginx(4, 'curl/8.5.0', 'GET /api/v1/orders/1', 404), nginx(5, 'kube-probe/1.31', 'GET /healthz', 200), nginx(6, 'Prometheus/2.53.0', 'GET /metrics', 200)] },
  { service: 'edge', template: 'upstream timed out (<NUM>: Connection timed out) while reading response header from upstream, client: <IP>, server: shop.example.jp, request: <*> <*> HTTP/<NUM>", upstream: <*> host: "shop.example.jp"', lines: [
    'upstream timed out (110: Connection timed out) while reading response header from upstream, client: 203.0.113.9, server: shop.example.jp, request: "GET /api/v1/orders/1042 HTTP/1.1", upstream: "http://10.0.2.15:8080/api/v1/orders/1042", host: "shop.example.jp"',
    'upstream timed out (110: Connection timed out) while reading response header from upstream, client: 198.51.100.23, server: shop.example.jp, request: "POST /api/v1/cart/items HTTP/1.1", upstream: "http://10.0.2.16:8080/api/v1/cart/items", host: "shop.example.jp"',
    'upstream timed out (110: Connection timed out) while reading response header from upstream, client: 2001:db8:1::7, server: shop.example.jp, request: "GET /api/v1/search?q=udon HTTP/1.1", upstream: "http://10.0.2.15:8080/api/v1/search?q=udon", host: "shop.example.jp"',
  ] },

  // yoyaku (a Japanese reservations app): messages in Japanese, dates in Japanese forms.
  { service: 'yoyaku', template: 'ユーザー <NUM> のログインに失敗しました（理由: <*>', lines: ['ユーザー 12345 のログインに失敗しました（理由: パスワード不一致）', 'ユーザー 880 のログインに失敗しました（理由: パスワード不一致）', 'ユーザー 12345 のログインに失敗しました（理由: アカウントロック中）', 'ユーザー 40211 のログインに失敗しました（理由: パスワード不一致）', 'ユーザー 7 のログインに失敗しました（理由: 二段階認証コード不一致）'] },
  { service: 'yoyaku', template: '予約 R-<NUM>-<NUM> を確定しました（店舗: <*> 人数: <NUM>名）', lines: [0, 1, 2, 3, 4, 5].map((i) => `予約 R-2026113${i}-00${40 + i} を確定しました（店舗: ${stores[i % stores.length]}, 人数: ${i + 2}名）`) },
  { service: 'yoyaku', template: 'メンテナンスを <DATE> から <DATE> まで実施します', lines: ['メンテナンスを 2026年12月5日(土) 2時00分 から 6時00分 まで実施します', 'メンテナンスを 12月12日 1時30分 から 5時00分 まで実施します', 'メンテナンスを 令和8年12月19日 2時00分 から 4時30分 まで実施します'] },
  { service: 'yoyaku', template: '<DATE>付で契約 C-<NUM> を更新しました', lines: ['令和8年11月30日付で契約 C-1024 を更新しました', '令和8年12月1日付で契約 C-2048 を更新しました', '2026年12月2日付で契約 C-77 を更新しました'] },
  { service: 'yoyaku', template: '決済処理がタイムアウトしました 注文番号=<NUM> 経過時間=<DURATION>', lines: ['決済処理がタイムアウトしました 注文番号=1042 経過時間=3021ms', '決済処理がタイムアウトしました 注文番号=88213 経過時間=5.5s', '決済処理がタイムアウトしました　注文番号=90001　経過時間=3002ms'] },
  // Japanese verbs join their particle into one token: 2 of 3 tokens equal, so Drain merges what a person keeps apart.
  { service: 'yoyaku', template: 'ユーザー <NUM> を作成しました', drainMisses: 'merged with the deleted one', lines: ['ユーザー 50001 を作成しました', 'ユーザー 50002 を作成しました', 'ユーザー 50003 を作成しました'] },
  { service: 'yoyaku', template: 'ユーザー <NUM> を削除しました', drainMisses: 'merged with the created one', lines: ['ユーザー 880 を削除しました', 'ユーザー 12 を削除しました'] },
  // One token (no spaces): Drain gives each batch name its own template, a person one.
  { service: 'yoyaku', template: 'バッチ処理「<*>」が正常に終了しました。処理件数：<NUM>件', drainMisses: 'one token whose middle varies: one template a batch name', lines: ['バッチ処理「月次請求」が正常に終了しました。処理件数：1234件', 'バッチ処理「ポイント失効」が正常に終了しました。処理件数：88件', 'バッチ処理「月次請求」が正常に終了しました。処理件数：1301件'] },

  // auth (Go, logfmt): e-mail addresses, IPv4 and IPv6 peers, durations.
  { service: 'auth', template: 'msg="password reset requested" email=<EMAIL> remote=<IP>', lines: ['msg="password reset requested" email=alice@example.com remote=203.0.113.9', 'msg="password reset requested" email=taro.yamada+shop@example.co.jp remote=[2001:db8::1f]:51234', 'msg="password reset requested" email=bob_77@mail.example.org remote=198.51.100.4:443'] },
  { service: 'auth', template: 'msg="login succeeded" user_id=<NUM> remote=<IP> <*> took=<DURATION>', lines: ['msg="login succeeded" user_id=42 remote=10.1.0.5 mfa=totp took=84ms', 'msg="login succeeded" user_id=12345 remote=fe80::1ff:fe23:4567:890a mfa=none took=61.5ms', 'msg="login succeeded" user_id=880 remote=10.1.0.9 mfa=webauthn took=120ms'] },
  { service: 'auth', template: 'msg="upstream request failed" <*> status=<NUM> attempt=<NUM> err="context deadline exceeded" trace_id=<HEX>', lines: ['msg="upstream request failed" upstream=inventory status=503 attempt=1 err="context deadline exceeded" trace_id=4bf92f3577b34da6a3ce929d0e0e4736', 'msg="upstream request failed" upstream=inventory status=504 attempt=2 err="context deadline exceeded" trace_id=0af7651916cd43dd8448eb211c80319c', 'msg="upstream request failed" upstream=pricing status=503 attempt=1 err="context deadline exceeded" trace_id=b7ad6b7169203331a1d2e3f4a5b6c7d8'] },

  // db (PostgreSQL): slow statements, checkpoints.
  { service: 'db', template: 'duration: <NUM> ms statement: SELECT * FROM orders WHERE customer_id = <NUM> ORDER BY created_at DESC LIMIT <NUM>', lines: ['duration: 1532.123 ms  statement: SELECT * FROM orders WHERE customer_id = 77 ORDER BY created_at DESC LIMIT 50', 'duration: 2210.9 ms  statement: SELECT * FROM orders WHERE customer_id = 1502 ORDER BY created_at DESC LIMIT 50', 'duration: 1048.5 ms  statement: SELECT * FROM orders WHERE customer_id = 9 ORDER BY created_at DESC LIMIT 20'] },
  { service: 'db', template: 'checkpoint complete: wrote <NUM> buffers (<NUM>%); <NUM> WAL file(s) added, <NUM> removed, <NUM> recycled; write=<NUM> s, sync=<NUM> s, total=<NUM> s', lines: ['checkpoint complete: wrote 2203 buffers (13.4%); 0 WAL file(s) added, 0 removed, 2 recycled; write=269.950 s, sync=0.012 s, total=269.981 s', 'checkpoint complete: wrote 881 buffers (5.4%); 0 WAL file(s) added, 1 removed, 1 recycled; write=88.100 s, sync=0.009 s, total=88.130 s'] },
  { service: 'db', template: 'connection authorized: <*> database=shop <*>', lines: ['connection authorized: user=app database=shop application_name=order-service', 'connection authorized: user=app database=shop application_name=checkout-api', 'connection authorized: user=readonly database=shop application_name=psql'] },

  // worker (Python): job lifecycle with hex ids and pointer-like values.
  { service: 'worker', template: 'Task tasks.send_receipt[<UUID>] succeeded in <DURATION>: None', lines: ['Task tasks.send_receipt[3c1e2a4b-9f1d-4c2e-8a7b-0d9e8f7a6b5c] succeeded in 0.482s: None', 'Task tasks.send_receipt[a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d] succeeded in 1.03s: None'] },
  { service: 'worker', template: 'Received task: <*> in queue <*> from <EMAIL>', lines: ['Received task: tasks.send_receipt in queue mail from ops@example.jp', 'Received task: tasks.rebuild_index in queue search from ops@example.jp', 'Received task: tasks.send_receipt in queue mail from batch@example.jp'] },
  { service: 'worker', template: 'worker memory at <NUM> MiB (limit <NUM> MiB), pool <HEX>', lines: ['worker memory at 412 MiB (limit 512 MiB), pool 0x7f3a2c1b', 'worker memory at 498 MiB (limit 512 MiB), pool 0x7f3a2d00', 'worker memory at 120 MiB (limit 1024 MiB), pool 0x55d1e0a0'] },
];

/** The lines one from each group in turn (as services interleave in a real stream), each with its label. */
export function interleaved(groups: CorpusGroup[] = CORPUS): { group: CorpusGroup; line: string }[] {
  const out: { group: CorpusGroup; line: string }[] = [];
  const longest = Math.max(...groups.map((g) => g.lines.length));
  for (let i = 0; i < longest; i++) for (const group of groups) if (i < group.lines.length) out.push({ group, line: group.lines[i]! });
  return out;
}
