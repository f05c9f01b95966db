import { describe, expect, it } from 'vitest';
import { mask } from './mask.ts';

describe('mask', () => {
  it.each([
    // <TS>
    ['started at 2026-11-30T01:02:03.123Z by cron', 'started at <TS> by cron'],
    ['started at 2026-11-30T01:02:03+09:00 by cron', 'started at <TS> by cron'],
    ['2026-11-30 01:02:03,456 INFO ready', '<TS> INFO ready'],
    ['at 2026/11/30 10:05:03 retry', 'at <TS> retry'],
    ['[30/Nov/2026:01:02:03 +0900] "GET /"', '[<TS>] "GET /"'],
    ['woke at 10:05:03.5 again', 'woke at <TS> again'],
    // <DATE>: Japanese forms and ISO dates without a time
    ['2026年11月30日 に締め切り', '<DATE> に締め切り'],
    ['11月30日 10時05分 に開始', '<DATE> に開始'],
    ['令和8年11月30日付で更新', '<DATE>付で更新'],
    ['令和元年5月1日(水) に施行', '<DATE> に施行'],
    ['平成31年4月30日（火）まで', '<DATE>まで'],
    ['2026年12月 の請求', '<DATE> の請求'],
    ['15時30分 から', '<DATE> から'],
    ['due 2026-12-01 noon', 'due <DATE> noon'],
    // <UUID>
    ['session 550e8400-e29b-41d4-a716-446655440000 expired', 'session <UUID> expired'],
    ['id=6FA459EA-EE8A-3CA4-894E-DB77E160355E', 'id=<UUID>'],
    // <IP>: IPv4 and IPv6, with a port
    ['from 10.0.3.12 ok', 'from <IP> ok'],
    ['connect 10.0.3.12:5432 refused.', 'connect <IP> refused.'],
    ['peer 2001:db8:85a3::8a2e:370:7334 said hi', 'peer <IP> said hi'],
    ['peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334 said hi', 'peer <IP> said hi'],
    ['listen [::1]:8080 and [2001:db8::1f]:51234', 'listen <IP> and <IP>'],
    ['mapped ::ffff:192.0.2.1 and fe80::1ff:fe23:4567:890a', 'mapped <IP> and <IP>'],
    ['upstream: "http://10.0.2.15:8080/api"', 'upstream: "http://<IP>/api"'],
    // <EMAIL>
    ['reset for taro.yamada+shop@example.co.jp done', 'reset for <EMAIL> done'],
    ['email=bob_77@mail.example.org', 'email=<EMAIL>'],
    // URL query values (keys and path stay)
    ['GET /api/v1/search?q=ramen&page=2 HTTP/1.1', 'GET /api/v1/search?q=<*>&page=<*> HTTP/<NUM>'],
    ['"https://shop.example.jp/items?id=123&ref=mail"', '"https://shop.example.jp/items?id=<*>&ref=<*>"'],
    ['/cb?token=&state=xyz#top', '/cb?token=<*>&state=<*>#top'],
    // <DURATION>
    ['took 123ms then 1.5s, 250µs, 250μs, 3m and 1h2m3.5s', 'took <DURATION> then <DURATION>, <DURATION>, <DURATION>, <DURATION> and <DURATION>'],
    ['経過時間=3021ms', '経過時間=<DURATION>'],
    // <HEX>
    ['pool 0x7f3a2c1b freed', 'pool <HEX> freed'],
    ['trace_id=4bf92f3577b34da6a3ce929d0e0e4736', 'trace_id=<HEX>'],
    ['commit 3f9a2c1b deployed', 'commit <HEX> deployed'],
    // <NUM>: integers, decimals, negatives, inside paths and next to Japanese
    ['order 1042 total 54.50 delta -3 offset +7', 'order <NUM> total <NUM> delta <NUM> offset <NUM>'],
    ['GET /api/users/12345/orders', 'GET /api/users/<NUM>/orders'],
    ['ユーザー 12345 の 3件 を処理', 'ユーザー <NUM> の <NUM>件 を処理'],
    ['HikariPool-1 at (Foo.java:142)', 'HikariPool-<NUM> at (Foo.java:<NUM>)'],
    ['user 20261130 and 12345678', 'user <NUM> and <NUM>'],
    ['version 1.2.3 released', 'version <NUM> released'],
  ])('%s', (line, masked) => {
    expect(mask(line)).toBe(masked);
  });

  it.each([
    ['words that look like hex or addresses without a digit', 'deadbeefcafe std::io dead::beef :: cafe'],
    ['digits inside identifiers', 'x86_64 blk_1073 sha256 v2 utf8mb4 r2d2'],
    ['Japanese without digits', 'ユーザーのログインに失敗しました（理由: パスワード不一致）'],
    ['a question without a query', 'is it ready? yes'],
  ])('leaves %s alone', (_what, line) => {
    expect(mask(line)).toBe(line);
  });

  it('stays fast on a long run without boundaries (no quadratic backtracking)', () => {
    const line = `blob ${'a1'.repeat(50_000)} and ${'x'.repeat(50_000)}@ ${'1.'.repeat(20_000)}`;
    const started = performance.now();
    mask(line);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
