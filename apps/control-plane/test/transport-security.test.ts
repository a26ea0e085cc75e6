import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strictTransportSecurityHeader } from '../src/plugins/transport-security.ts';
import { password, startTestApp, type TestApp } from './helpers.ts';

const [backend] = await testBackends();

describe('HTTPS posture of a production app', () => {
  let t: TestApp;
  let plain: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend, { strictTransportSecurity: true, secureCookies: true });
    plain = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
    await plain?.close();
  });

  it('sends Strict-Transport-Security on every answer: success, problem, unknown route', async () => {
    for (const url of ['/livez', '/v1/me', '/v1/nowhere']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['strict-transport-security'], url).toBe(strictTransportSecurityHeader);
    }
    expect((await plain.app.inject({ method: 'GET', url: '/livez' })).headers['strict-transport-security']).toBeUndefined();
  });

  it('marks the session cookie Secure', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/signup', payload: { email: 'tls@example.com', password, organizationName: 'TLS' } });
    expect(res.statusCode).toBe(201);
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
  });
});
