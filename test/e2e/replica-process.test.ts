import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';

// Issue 19: a replica process (MIMAMORI_ROLE=replica) serves ingest and reads and runs none of the primary's
// background work. No second instance can share chDB's data directory, so this one runs alone and says so.
describe('a replica process', () => {
  it('starts no evaluator, mailer or escalation (its /metrics says so), follows the tables instead, and warns that the embedded engine cannot be shared', async () => {
    const server = await startServerProcess({ MIMAMORI_DATA: tempDir(), MIMAMORI_ROLE: 'replica' });
    try {
      const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminKey}` } });
      const text = await res.text();
      const running = (component: string) => new RegExp(`^mimamori_component_running\\{component="${component}"\\} (\\d)$`, 'm').exec(text)?.[1];
      expect(text).toMatch(/^mimamori_role\{role="replica"\} 1$/m);
      expect([running('evaluator'), running('mailer'), running('escalation'), running('miner'), running('approvals'), running('audit_sealer')]).toEqual(['0', '0', '0', '0', '0', '0']);
      expect(running('follower')).toBe('1');
      const ingest = await server.ingest('probes', [{ timestamp: Date.now(), environment: 'production', target: 'portal', ok: true, total_ms: 80 }]);
      expect(ingest.status).toBe(200);
      expect(server.output()).toContain('MIMAMORI_ROLE=replica on the embedded engine: no other instance can share this data directory');
    } finally {
      await server.stop();
    }
  });
});
