// Accounts for tests that drive a real server process over HTTP: a person
// signs in with the initial password an administrator gave them and changes
// it, as at a first sign-in; the answer is their session cookie.

/** The `mimamori_session=<value>` pair a response set. */
export const sessionCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('mimamori_session='))!.split(';')[0]!;

/** Signs in with the initial password and changes it; returns the new session cookie's value. Throws with the server's answer when a step fails. */
export async function signInChangingPassword(serverUrl: string, id: string, initial: string, chosen: string): Promise<string> {
  const signIn = await fetch(`${serverUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, password: initial }) });
  if (signIn.status !== 200) throw new Error(`signing in ${id}: ${signIn.status} ${await signIn.text()}`);
  const { csrf_token: csrf } = (await signIn.json()) as { csrf_token: string };
  const change = await fetch(`${serverUrl}/api/v1/session/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: sessionCookie(signIn), 'x-csrf-token': csrf },
    body: JSON.stringify({ current_password: initial, password: chosen }),
  });
  if (change.status !== 200) throw new Error(`changing ${id}'s password: ${change.status} ${await change.text()}`);
  return sessionCookie(change).split('=')[1]!;
}

/** Creates an account with the local admin key, then has its person sign in and choose their password; returns their session cookie's value. */
export async function createSignedInUser(serverUrl: string, adminKey: string, user: { id: string; role: string; name: string; initial: string; chosen: string }): Promise<string> {
  const created = await fetch(`${serverUrl}/api/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: user.id, role: user.role, password: user.initial, display_name: user.name }),
  });
  if (created.status !== 201) throw new Error(`creating ${user.id}: ${created.status} ${await created.text()}`);
  return signInChangingPassword(serverUrl, user.id, user.initial, user.chosen);
}

/** Accounts with the given roles, each with a personal API token, made with the local admin key; the tokens by account id. */
export async function peopleWithTokens(serverUrl: string, adminKey: string, people: readonly (readonly [id: string, role: string])[]): Promise<Record<string, string>> {
  const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const tokens: Record<string, string> = {};
  for (const [id, role] of people) {
    const created = await fetch(`${serverUrl}/api/v1/users`, { method: 'POST', headers: admin, body: JSON.stringify({ id, role, display_name: id, password: 'V!olet-Harb0ur-91' }) });
    if (created.status !== 201) throw new Error(`creating ${id}: ${created.status} ${await created.text()}`);
    const made = await fetch(`${serverUrl}/api/v1/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ kind: 'personal', name: id, owner: id }) });
    tokens[id] = ((await made.json()) as { token: string }).token;
  }
  return tokens;
}
