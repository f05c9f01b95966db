import { describe, expect, it } from 'vitest';
import { parseEvent } from './parse.ts';
import { splitEvents } from './events.ts';

const NOW = Date.now();

describe('parseEvent', () => {
  it('reads JSON lines: time, level (pino numbers too), message, the rest as attributes', () => {
    const time = new Date(NOW - 1000).toISOString();
    const e = parseEvent(JSON.stringify({ time, level: 50, msg: 'db down', req: { id: 7 }, user: 'a' }), 'auto', NOW);
    expect(e).toEqual({ timestamp: NOW - 1000, level: 'error', message: 'db down', attributes: { req: '{"id":7}', user: 'a' } });
    const pinoMs = parseEvent(JSON.stringify({ time: NOW - 5, level: 30, msg: 'ok' }), 'json', NOW);
    expect(pinoMs.timestamp).toBe(NOW - 5);
    expect(pinoMs.level).toBe('info');
  });

  it('reads nginx combined lines with request time: status and time become fields, 5xx is an error', () => {
    const line = '10.0.0.5 - - [26/Nov/2026:09:00:00 +0900] "GET /grants/apply?x=1 HTTP/1.1" 502 157 "-" "Mozilla/5.0" 5.012';
    const e = parseEvent(line, 'auto', Date.parse('2026-11-26T01:00:00Z'));
    expect(e.timestamp).toBe(Date.parse('2026-11-26T09:00:00+09:00')); // sent as epoch ms, one spelling
    expect(e.level).toBe('error');
    expect(e.attributes).toMatchObject({ status: '502', method: 'GET', path: '/grants/apply?x=1', request_time_ms: '5012', remote_addr: '10.0.0.5', bytes: '157' });
    expect(parseEvent(line.replace(' 502 ', ' 404 '), 'combined', Date.parse('2026-11-26T01:00:00Z')).level).toBe('warn');
  });

  it('finds the level and a leading time in plain text, and falls back to the read time', () => {
    const time = new Date(NOW - 60_000).toISOString();
    const e = parseEvent(`${time} [main] WARNING disk 91% full`, 'auto', NOW);
    expect(e).toMatchObject({ timestamp: NOW - 60_000, level: 'warning', message: `${time} [main] WARNING disk 91% full` });
    const bare = parseEvent('something happened', 'plain', NOW);
    expect(bare).toMatchObject({ timestamp: NOW, level: 'info' });
    const odd = parseEvent(JSON.stringify({ time: 'yesterday', msg: 'x' }), 'json', NOW);
    expect(odd.timestamp).toBe(NOW);
    expect(odd.attributes.original_time).toBe('yesterday');
  });

  it('truncates an enormous message with a marker', () => {
    const e = parseEvent('x'.repeat(50_000), 'plain', NOW);
    expect(e.message.length).toBeLessThan(33_000);
    expect(e.message).toMatch(/…\[truncated 17232 characters\]$/);
  });
});

describe('splitEvents', () => {
  const opts = { maxLineBytes: 1024, flush: false };

  it('consumes complete lines only; a partial last line is read again later', () => {
    const split = splitEvents(Buffer.from('a\nb\r\npart'), opts);
    expect(split.events).toEqual(['a', 'b']);
    expect(split.consumed).toBe(5);
    expect(splitEvents(Buffer.from('part'), opts).consumed).toBe(0);
    expect(splitEvents(Buffer.from('part'), { ...opts, flush: true }).events).toEqual(['part']);
  });

  it('joins stack-trace lines to their first line and holds the last event until it is complete', () => {
    const text = '2026-11-26 ERROR boom\n    at f (a.js:1)\n    at g (b.js:2)\n2026-11-26 INFO next\n    at h\n';
    const split = splitEvents(Buffer.from(text), { ...opts, multilineStart: /^\d{4}-/ });
    expect(split.events).toEqual(['2026-11-26 ERROR boom\n    at f (a.js:1)\n    at g (b.js:2)']);
    expect(split.holding).toBe(true);
    expect(split.consumed).toBe(Buffer.byteLength('2026-11-26 ERROR boom\n    at f (a.js:1)\n    at g (b.js:2)\n'));
    expect(splitEvents(Buffer.from(text), { ...opts, multilineStart: /^\d{4}-/, flush: true }).events).toHaveLength(2);
  });

  it('replaces invalid UTF-8 instead of failing, and cuts a line past the limit', () => {
    const bad = Buffer.concat([Buffer.from('ok '), Buffer.from([0xff, 0xfe]), Buffer.from(' end\n')]);
    expect(splitEvents(bad, opts).events[0]).toBe('ok \uFFFD\uFFFD end');
    const long = splitEvents(Buffer.alloc(2000, 0x61), opts);
    expect(long.consumed).toBe(2000);
    expect(long.events[0]).toHaveLength(2000);
  });
});
