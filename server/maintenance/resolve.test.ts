import { describe, expect, it } from 'vitest';
import { resolveMaintenance } from './resolve.ts';
import { definitionOccurrences } from './recurrence.ts';
import { parseZonedTime } from './zoned-time.ts';
import { mergeMinuteIntervals } from './intervals.ts';
import { pickLanguage } from '../shared/language.ts';

const ENVS = ['production', 'staging'];
const fail = (path: (string | number)[], reason: string) => new Error(`${path.join('.')}: ${reason}`);
type Raw = Parameters<typeof resolveMaintenance>[0];
// config.ts's `days` is statically never[] (a Type.Union over a mapped array), so raw entries are cast.
const resolve = (raw: unknown) => resolveMaintenance(raw as Raw, 'Asia/Tokyo', ENVS, fail);

describe('resolveMaintenance', () => {
  it('reads a one-off window without an offset in the time zone', () => {
    const [d] = resolve([{ name: 'db', start: '2026-11-26T02:00', end: '2026-11-26T04:00' }]);
    expect(d).toMatchObject({ kind: 'once', start: Date.parse('2026-11-25T17:00:00Z'), end: Date.parse('2026-11-25T19:00:00Z'), environments: [], targets: [] });
    expect(d!.message.ja).toContain('メンテナンス中');
  });

  it('keeps an explicit offset', () => {
    const [d] = resolve([{ name: 'db', start: '2026-11-26T02:00:00Z', end: '2026-11-26T13:00:00+09:00' }]);
    expect(d).toMatchObject({ start: Date.parse('2026-11-26T02:00:00Z'), end: Date.parse('2026-11-26T04:00:00Z') });
  });

  it.each<[string, unknown, string]>([
    ['end before start', [{ name: 'a', start: '2026-11-26T04:00', end: '2026-11-26T02:00' }], 'maintenance.0.end: must be after start'],
    ['missing end', [{ name: 'a', start: '2026-11-26T04:00' }], 'maintenance.0.end: required'],
    ['not a time', [{ name: 'a', start: '2026-02-30T04:00', end: '2026-03-01T04:00' }], 'maintenance.0.start: "2026-02-30T04:00" is not'],
    ['both kinds', [{ name: 'a', start: '2026-11-26T04:00', end: '2026-11-26T05:00', every: 'daily', at: '02:00', duration: '1h' }], 'maintenance.0.start: a window is either'],
    ['neither kind', [{ name: 'a' }], 'maintenance.0.start: required'],
    ['weekly without days', [{ name: 'a', every: 'weekly', at: '02:00', duration: '1h' }], 'maintenance.0.days: required'],
    ['daily with days', [{ name: 'a', every: 'daily', days: ['mon'], at: '02:00', duration: '1h' }], 'maintenance.0.days: only for every: weekly'],
    ['no duration', [{ name: 'a', every: 'daily', at: '02:00' }], 'maintenance.0.duration: required'],
    ['no at', [{ name: 'a', every: 'daily', duration: '1h' }], 'maintenance.0.at: required'],
    ['too long for daily', [{ name: 'a', every: 'daily', at: '02:00', duration: '25h' }], 'maintenance.0.duration: must be'],
    ['unknown environment', [{ name: 'a', every: 'daily', at: '02:00', duration: '1h', environments: ['staging', 'prod'] }], 'maintenance.0.environments.1: "prod" is not one of'],
    ['duplicate name', [{ name: 'a', every: 'daily', at: '02:00', duration: '1h' }, { name: 'a', every: 'daily', at: '03:00', duration: '1h' }], 'maintenance.1.name: "a" is used'],
  ])('refuses %s, naming the field', (_label, raw, message) => {
    expect(() => resolve(raw)).toThrow(message);
  });
});

describe('recurring occurrences', () => {
  it('puts a weekly Monday 02:00 Tokyo window on Sunday in UTC', () => {
    const [d] = resolve([{ name: 'weekly-db', every: 'weekly', days: ['mon'], at: '02:00', duration: '2h', environments: ['production'] }]);
    // 2026-11-23 is a Monday in Tokyo; its 02:00 is Sunday 2026-11-22 17:00 UTC.
    const from = Date.parse('2026-11-16T00:00:00Z');
    const windows = definitionOccurrences(d!, from, from + 14 * 86_400_000, 'Asia/Tokyo');
    expect(windows.map((w) => w.id)).toEqual(['weekly-db@2026-11-22T17:00:00.000Z', 'weekly-db@2026-11-29T17:00:00.000Z']);
    expect(windows[0]).toMatchObject({ start: Date.parse('2026-11-22T17:00:00Z'), end: Date.parse('2026-11-22T19:00:00Z'), environments: ['production'], source: 'config' });
    expect(new Date(windows[0]!.start).getUTCDay()).toBe(0);
  });

  it('finds a window already running at the start of the range', () => {
    const [d] = resolve([{ name: 'nightly', every: 'daily', at: '23:30', duration: '1h' }]);
    const at = Date.parse('2026-11-26T15:10:00Z'); // 00:10 in Tokyo, 40 minutes into the 23:30 window
    expect(definitionOccurrences(d!, at, at + 1, 'Asia/Tokyo').map((w) => w.id)).toEqual(['nightly@2026-11-26T14:30:00.000Z']);
  });
});

describe('helpers', () => {
  it('parses zoned times and refuses nonsense', () => {
    expect(parseZonedTime('2026-11-26', 'Asia/Tokyo')).toBe(Date.parse('2026-11-25T15:00:00Z'));
    expect(parseZonedTime('2026-11-26 09:00+0900', 'UTC')).toBe(Date.parse('2026-11-26T00:00:00Z'));
    expect(parseZonedTime('tomorrow', 'Asia/Tokyo')).toBeUndefined();
    expect(parseZonedTime('2026-11-26T25:00', 'Asia/Tokyo')).toBeUndefined();
  });

  it('widens intervals to whole minutes, clips and merges them', () => {
    expect(mergeMinuteIntervals([[90_000, 150_000], [170_000, 200_000], [600_000, 700_000]], 0, 650_000)).toEqual([[60_000, 240_000], [600_000, 650_000]]);
  });

  it('picks the language from ?lang, then Accept-Language, then Japanese', () => {
    expect(pickLanguage('en', 'ja')).toBe('en');
    expect(pickLanguage(undefined, 'en-US,en;q=0.9,ja;q=0.8')).toBe('en');
    expect(pickLanguage(undefined, 'fr, ja;q=0.5')).toBe('ja');
    expect(pickLanguage(undefined, undefined)).toBe('ja');
  });
});
