import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, password, sessionCookieOf, signup, startTestApp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('accounts on $name', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t?.close());

  it('signup creates a user, an organization they own, and a session cookie (httpOnly, SameSite=Lax)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/signup',
      payload: { email: 'Ada@Example.com', password, organizationName: 'Analytical Engines' },
    });
    expect(res.statusCode).toBe(201);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^fjord_session=fjs_/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(res.json()).toMatchObject({ user: { email: 'ada@example.com' }, organization: { name: 'Analytical Engines' }, role: 'owner', apiKey: null });

    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: { cookie: sessionCookieOf(res) } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(res.json());
  });

  it('stores the password as a scrypt hash and the session as a SHA-256 of its token', async () => {
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { email: 'ada@example.com' } });
    expect(user.passwordHash).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(user.passwordHash).not.toContain(password);
    const sessions = await t.db.prisma.session.findMany({ where: { userId: user.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0].tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 409 email-taken for a second signup with the same email, in any case', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/signup',
      payload: { email: 'ADA@example.com', password, organizationName: 'Again' },
    });
    expectProblem(res, 409, 'email-taken');
    expect(await t.db.prisma.organization.count({ where: { name: 'Again' } })).toBe(0);
  });

  it('logs in with the right password and refuses a wrong one or an unknown email alike', async () => {
    const ok = await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email: 'ada@example.com', password } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ user: { email: 'ada@example.com' }, role: 'owner' });
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: { cookie: sessionCookieOf(ok) } });
    expect(me.statusCode).toBe(200);

    const wrong = await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email: 'ada@example.com', password: 'not the password' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email: 'nobody@example.com', password } });
    expect(expectProblem(wrong, 401, 'invalid-credentials').detail).toBe(expectProblem(unknown, 401, 'invalid-credentials').detail);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('logout ends the session: the cookie no longer authenticates', async () => {
    const { cookie } = await signup(t.app);
    const out = await t.app.inject({ method: 'POST', url: '/v1/logout', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/fjord_session=;/);
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: { cookie } }), 401, 'unauthorized');
  });

  it('answers 401 without credentials, with an unknown cookie, or with a malformed Authorization header', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me' }), 401, 'unauthorized');
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: { cookie: 'fjord_session=fjs_forged' } }), 401, 'unauthorized');
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: 'Basic abc' } }), 401, 'unauthorized');
  });

  it('an expired session no longer authenticates', async () => {
    const { cookie, userId } = await signup(t.app);
    await t.db.prisma.session.updateMany({ where: { userId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: { cookie } }), 401, 'unauthorized');
  });
});

describe('signup and login rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backends[0], { rateLimits: { 'signin-per-address': { max: 3, timeWindow: 60_000 } } });
  });
  afterAll(() => t?.close());

  it('answers 429 rate-limited once a client has used up its attempts', async () => {
    const attempt = () => t.app.inject({ method: 'POST', url: '/v1/login', payload: { email: 'x@example.com', password: 'whatever it is' } });
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
    expectProblem(await attempt(), 429, 'rate-limited');
    const res = await t.app.inject({ method: 'POST', url: '/v1/signup', payload: { email: 'y@example.com', password, organizationName: 'Y' } });
    expect(res.statusCode).toBe(201);
  });
});
