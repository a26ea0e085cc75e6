import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey, expectProblem, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const [pglite] = await testBackends();
const host = '127.0.0.1:8080';

// CSRF: a page of another origin makes the browser send a mutating request with the session cookie.
// SameSite=Lax does not stop another port of the same host (same site), and a bodiless POST needs no
// content type; the control plane refuses what the browser says came from elsewhere.
describe('cross-origin mutations', () => {
  let t: TestApp;
  let owner: SignedUp;
  beforeAll(async () => {
    t = await startTestApp(pglite, { publicUrl: 'https://console.fjord.example' });
    owner = await signup(t.app, 'Csrf');
  });
  afterAll(() => t?.close());

  const createKey = (headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { host, ...owner.auth, ...headers }, payload: { description: 'forged?' } });
  const keyCount = async () => (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: owner.auth })).json().items.length as number;

  it('refuses a session-cookie POST from another origin (another site, or another port of this host) and changes nothing', async () => {
    const before = await keyCount();
    for (const origin of ['https://evil.example', 'http://127.0.0.1:9999', 'null']) {
      const body = expectProblem(await createKey({ origin }), 403, 'forbidden');
      expect(body.detail).toContain('cross-origin');
    }
    expectProblem(await createKey({ 'sec-fetch-site': 'same-site' }), 403, 'forbidden');
    expectProblem(await createKey({ 'sec-fetch-site': 'cross-site' }), 403, 'forbidden');
    expect(await keyCount()).toBe(before);
  });

  it('refuses a forged logout and login, so a page cannot end or swap the session', async () => {
    expectProblem(await t.app.inject({ method: 'POST', url: '/v1/logout', headers: { host, origin: 'http://127.0.0.1:9999', ...owner.auth } }), 403, 'forbidden');
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: owner.auth })).statusCode).toBe(200);
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/login',
      headers: { host, origin: 'https://evil.example' },
      payload: { email: owner.email, password: 'correct horse battery staple' },
    });
    expectProblem(login, 403, 'forbidden');
  });

  it('accepts the same origin, the public URL, clients that are not browsers, and API keys', async () => {
    expect((await createKey({ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201);
    expect((await createKey({ origin: 'https://console.fjord.example' })).statusCode).toBe(201);
    expect((await createKey({})).statusCode).toBe(201);
    expect((await createKey({ 'sec-fetch-site': 'none' })).statusCode).toBe(201);
    const key = await createApiKey(t.app, owner.auth);
    const res = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { host, origin: 'https://evil.example', ...bearer(key.secret) }, payload: { description: 'ci' } });
    expect(res.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: { host, origin: 'https://evil.example', ...owner.auth } })).statusCode).toBe(200);
  });
});
