// The expander against the upstream examples it copies: the plugin's macro
// table (clickhouse-datasource docs/sources/query-editor.md, same range:
// 1415792726123 to 1447328726456 ms, interval 20 s), Grafana's singlequote
// tests (formatRegistry.test.ts) and the plugin's $__conditionalAll rules.
import { describe, expect, it } from 'vitest';
import { ALL, applyConditionalAll, expandMacros, interpolate, replaceVariables, type QueryScope } from './macros.ts';

const scope: QueryScope = { from: 1415792726123, to: 1447328726456, intervalMs: 20_000, variables: {} };

describe('the plugin macros', () => {
  it.each([
    ['$__timeFilter(time)', 'time >= toDateTime(1415792726) AND time <= toDateTime(1447328726)'],
    ['$__timeFilter_ms(time)', 'time >= fromUnixTimestamp64Milli(1415792726123) AND time <= fromUnixTimestamp64Milli(1447328726456)'],
    ['$__fromTime', 'toDateTime(1415792726)'],
    ['$__toTime', 'toDateTime(1447328726)'],
    ['$__fromTime_ms', 'fromUnixTimestamp64Milli(1415792726123)'],
    ['$__toTime_ms', 'fromUnixTimestamp64Milli(1447328726456)'],
    ['$__interval_s', '20'],
    ['$__timeInterval(column)', 'toStartOfInterval(toDateTime(column), INTERVAL 20 second)'],
    ['$__timeInterval_ms(column)', 'toStartOfInterval(toDateTime64(column, 3), INTERVAL 20000 millisecond)'],
    ['$__dateFilter(date)', "date >= toDate('2014-11-12') AND date <= toDate('2015-11-12')"],
  ])('%s', (macro, expanded) => {
    expect(expandMacros(`SELECT ${macro}`, scope)).toBe(`SELECT ${expanded}`);
  });

  it('reads arguments with brackets of their own, and tells _ms macros from their prefixes', () => {
    expect(expandMacros('$__timeInterval( toDateTime(t, 3) ) $__timeFilter_ms(t) $__timeFilter(t)', scope)).toBe(
      'toStartOfInterval(toDateTime(toDateTime(t, 3)), INTERVAL 20 second) t >= fromUnixTimestamp64Milli(1415792726123) AND t <= fromUnixTimestamp64Milli(1447328726456) t >= toDateTime(1415792726) AND t <= toDateTime(1447328726)',
    );
  });

  it('never buckets finer than a second, and refuses macros whose text differs between versions', () => {
    expect(expandMacros('$__interval_s', { ...scope, intervalMs: 200 })).toBe('1');
    expect(() => expandMacros('$__timeGroup(t, 1h)', scope)).toThrow(/timeGroup/);
    expect(() => expandMacros('$__timeFilter(a, b)', scope)).toThrow(/expected 1 argument/);
  });
});

describe('template variables', () => {
  const variables = {
    env: { value: 'production' },
    target: { value: ['web', "o'brien"] },
    host: { value: [ALL], options: ['a', 'b'] },
  };

  it('quote each value with :singlequote, escaping quotes as \\\' like Grafana', () => {
    expect(replaceVariables('${env:singlequote} IN (${target:singlequote})', variables)).toBe("'production' IN ('web','o\\'brien')");
  });

  it('without a format: a list quoted by the plugin, a single value as it is; All is every option', () => {
    expect(replaceVariables('$env ${env} [[env]] ($target) ($host)', variables)).toBe("production production production ('web','o'brien') ('a','b')");
  });

  it('leave unknown names and macros alone, and refuse formats the boards do not use', () => {
    expect(replaceVariables('$nope $__fromTime', variables)).toBe('$nope $__fromTime');
    expect(() => replaceVariables('${env:csv}', variables)).toThrow(/csv/);
  });
});

describe('$__conditionalAll', () => {
  const sql = 'WHERE $__conditionalAll(target IN (${target:singlequote}), $target) AND $__conditionalAll(host = $host, ${host})';

  it('keeps the condition for a selection, and is 1=1 for All or nothing', () => {
    expect(applyConditionalAll(sql, { target: { value: ['a'] }, host: { value: ALL } })).toBe('WHERE target IN (${target:singlequote}) AND 1=1');
    expect(applyConditionalAll(sql, { target: { value: [ALL] }, host: { value: '' } })).toBe('WHERE 1=1 AND 1=1');
    expect(applyConditionalAll(sql, {})).toBe('WHERE target IN (${target:singlequote}) AND host = $host');
  });

  it('runs before the variables and the macros', () => {
    const text = 'SELECT 1 WHERE $__conditionalAll(t IN (${t:singlequote}), $t) AND $__timeFilter(time)';
    expect(interpolate(text, { ...scope, variables: { t: { value: ['x', 'y'] } } })).toBe(
      "SELECT 1 WHERE t IN ('x','y') AND time >= toDateTime(1415792726) AND time <= toDateTime(1447328726)",
    );
  });
});
