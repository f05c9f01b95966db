import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess, freePort } from '../helpers/server-process.ts';
import { tempDir } from '../helpers/runtime.ts';

// Sessions and their ends live in the database, not in the process.
describe('sessions across a restart', () => {
  it('a signed-in session survives a restart; a session ended by disabling its user stays ended after one', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const env = { MIMAMORI_DATA: dataDir, MIMAMORI_CONFIG: path.join(dataDir, 'm.yaml') };
    fs.writeFileSync(env.MIMAMORI_CONFIG, 'agent: { enabled: false }\n');
    let server = await startServerProcess(env, 30_000, port);
    const admin = { authorization: `Bearer ${fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim()}`, 'content-type': 'application/json' };
    const restart = async () => {
      await server.stop();
      server = await startServerProcess(env, 30_000, port);
    };
    try {
      await fetch(`${server.url}/api/v1/users`, { method: 'POST', headers: admin, body: JSON.stringify({ id: 'night-shift', role: 'operator', display_name: 'N', password: 'V!olet-Harb0ur-91' }) });
      const signIn = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'night-shift', password: 'V!olet-Harb0ur-91' }) });
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      const whoAmI = async () => ((await (await fetch(`${server.url}/api/v1/session`, { headers: { cookie } })).json()) as { user: unknown }).user ? 200 : 401;
      expect(await whoAmI()).toBe(200);
      await restart();
      expect(await whoAmI()).toBe(200);
      expect((await fetch(`${server.url}/api/v1/users/night-shift/disable`, { method: 'POST', headers: admin, body: '{}' })).status).toBe(200);
      expect(await whoAmI()).toBe(401);
      await fetch(`${server.url}/api/v1/users/night-shift/enable`, { method: 'POST', headers: admin, body: '{}' });
      await restart();
      expect(await whoAmI()).toBe(401); // re-enabling does not bring ended sessions back
    } finally {
      await server.stop();
    }
  });
});
