import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/runtime.ts';
import { resolveFaro, withDashboardApp } from './config.ts';
import { RateLimiter } from './rate-limit.ts';

const fail = (p: (string | number)[], reason: string) => new Error(`${p.join('.')}: ${reason}`);
const ENVS = ['production', 'staging'];
const portal = { name: 'portal', key: 'public-key-1', environment: 'production', origins: ['https://portal.example.jp/'] };

describe('resolveFaro', () => {
  it('normalises origins and defaults the rate', () => {
    expect(resolveFaro({ apps: [portal] }, ENVS, fail)).toEqual({ apps: [{ ...portal, origins: ['https://portal.example.jp'] }], ratePerMinute: 600 });
    expect(resolveFaro(undefined, ENVS, fail)).toEqual({ apps: [], ratePerMinute: 600 });
  });

  it('names the bad field', () => {
    const bad = (apps: (typeof portal)[]) => () => resolveFaro({ apps }, ENVS, fail);
    expect(bad([{ ...portal, environment: 'prod' }])).toThrow('faro.apps.0.environment: "prod" is not one of the environments');
    expect(bad([{ ...portal, origins: ['https://portal.example.jp/app'] }])).toThrow('faro.apps.0.origins.0');
    expect(bad([portal, { ...portal, name: 'other' }])).toThrow('faro.apps.1.key');
    expect(bad([portal, { ...portal, key: 'public-key-2' }])).toThrow('faro.apps.1.name');
    expect(bad([{ ...portal, name: 'mimamori-dashboard' }])).toThrow('reserved');
  });

  it('adds the dashboard app with a key kept in the data directory', () => {
    const dir = tempDir();
    const first = withDashboardApp(resolveFaro({ apps: [portal] }, ENVS, fail), dir, ENVS);
    const own = first.apps.find((a) => a.name === 'mimamori-dashboard')!;
    expect(own).toMatchObject({ environment: 'production', origins: ['self'] });
    expect(fs.readFileSync(path.join(dir, 'faro-key'), 'utf8').trim()).toBe(own.key);
    expect(withDashboardApp(first, dir, ENVS).apps.filter((a) => a.name === 'mimamori-dashboard')).toEqual([own]);
  });
});

describe('RateLimiter', () => {
  it('allows a minute\'s worth, then refills continuously', () => {
    const limiter = new RateLimiter(60, 2);
    for (let i = 0; i < 60; i++) expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('a', 0)).toBe(1000);
    expect(limiter.take('a', 1000)).toBe(0);
    expect(limiter.take('b', 0)).toBe(0);
    expect(limiter.take('c', 0)).toBe(0);
    expect(limiter.size).toBeLessThanOrEqual(2);
  });
});
