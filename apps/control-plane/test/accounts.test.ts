import { randomBytes, scryptSync } from 'node:crypto';
import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/helpers/control-plane.ts';
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
    expect(user.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(user.passwordHash).not.toContain(password);
    const sessions = await t.db.prisma.session.findMany({ where: { userId: user.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0].tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a signup for an email that has an account, in any case, like a success, creating nothing', async () => {
    const counts = async () => [await t.db.prisma.user.count(), await t.db.prisma.organization.count(), await t.db.prisma.session.count()];
    const before = await counts();
    const taken = await t.app.inject({ method: 'POST', url: '/v1/signup', payload: { email: 'ADA@example.com', password: 'another password', organizationName: 'Again' } });
    const fresh = await t.app.inject({ method: 'POST', url: '/v1/signup', payload: { email: 'babbage@example.com', password, organizationName: 'Again' } });
    for (const res of [taken, fresh]) {
      expect(res.statusCode, res.body).toBe(201);
      expect(String(res.headers['set-cookie'])).toMatch(/^fjord_session=fjs_[A-Za-z0-9_-]{43}; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
      expect(res.json()).toMatchObject({
        user: { id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/), createdAt: expect.any(String) },
        organization: { id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/), name: 'Again' },
        role: 'owner',
        apiKey: null,
      });
      expect(Object.keys(res.headers).sort()).toEqual(Object.keys(fresh.headers).sort());
    }
    expect(taken.json().user.email).toBe('ada@example.com');
    // Only the fresh signup created a user, an organization and a session.
    expect(await counts()).toEqual(before.map((n) => n + 1));
    expect(await t.db.prisma.organization.count({ where: { name: 'Again' } })).toBe(1);
    // The existing account is untouched and its owner signs in as before.
    expect((await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email: 'ada@example.com', password } })).statusCode).toBe(200);
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: { cookie: sessionCookieOf(taken) } }), 401, 'unauthorized');
  });

  it('raises a password hash made at a lower scrypt cost to N=2^17 at the next login', async () => {
    const { email, userId } = await signup(t.app);
    const salt = randomBytes(16);
    const old = ['scrypt', 2 ** 15, 8, 1, salt.toString('base64'), scryptSync(password, salt, 64, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('base64')].join('$');
    await t.db.prisma.user.update({ where: { id: userId }, data: { passwordHash: old } });
    expect((await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email, password } })).statusCode).toBe(200);
    const rehashed = (await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).passwordHash;
    expect(rehashed).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email, password } })).statusCode).toBe(200);
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).passwordHash).toBe(rehashed);
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

  it('a session unused for the idle timeout (7 days) no longer authenticates; use keeps it alive', async () => {
    const day = 24 * 3600 * 1000;
    const idle = await signup(t.app);
    const used = await signup(t.app);
    await t.db.prisma.session.updateMany({ where: { userId: idle.userId }, data: { lastUsedAt: new Date(Date.now() - 7 * day) } });
    await t.db.prisma.session.updateMany({ where: { userId: used.userId }, data: { lastUsedAt: new Date(Date.now() - 6 * day) } });
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/me', headers: { cookie: idle.cookie } }), 401, 'unauthorized');
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: { cookie: used.cookie } })).statusCode).toBe(200);
    const touched = await t.db.prisma.session.findFirstOrThrow({ where: { userId: used.userId } });
    expect(Date.now() - touched.lastUsedAt.getTime()).toBeLessThan(60_000);
  });
});

describe('ended sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backends[0], { sessionIdleMs: 60 * 60_000, sessionPurgeEveryMs: 100 });
  });
  afterAll(() => t?.close());

  it('are purged periodically, expired and idle alike, in bounded batches; live ones stay', async () => {
    const expired = await signup(t.app);
    const idle = await signup(t.app);
    const live = await signup(t.app);
    await t.db.prisma.session.updateMany({ where: { userId: expired.userId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await t.db.prisma.session.updateMany({ where: { userId: idle.userId }, data: { lastUsedAt: new Date(Date.now() - 61 * 60_000) } });
    await until('ended sessions purged', async () => ((await t.db.prisma.session.count({ where: { userId: { in: [expired.userId, idle.userId] } } })) === 0 ? true : undefined), 10_000, 50);
    expect(await t.db.prisma.session.count({ where: { userId: live.userId } })).toBe(1);

    const ended = await t.db.prisma.session.findFirstOrThrow({ where: { userId: live.userId } });
    await t.db.prisma.session.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({ orgId: ended.orgId, userId: ended.userId, tokenHash: `ended-${i}`, expiresAt: new Date(0) })),
    });
    expect(await t.app.services.accounts.purgeEndedSessions(2)).toBeLessThanOrEqual(2);
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
