import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { expectProblem, password, signup, startTestApp, unlimited, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('rate limits behind a load balancer on $name', (backend) => {
  let t: TestApp;
  let victim: SignedUp;
  let bystander: SignedUp;
  const limits = {
    ...unlimited,
    'signin-per-address': { max: 10, timeWindow: 60_000 },
    'signin-per-email': { max: 10, timeWindow: 60_000 },
    'api-key-creation': { max: 3, timeWindow: 60_000 },
    'cluster-creation': { max: 2, timeWindow: 60_000 },
  };
  beforeAll(async () => {
    t = await startTestApp(backend, { trustProxy: 1, rateLimits: limits, housekeepingMs: 0 });
    victim = await signup(t.app, 'Victim');
    bystander = await signup(t.app, 'Bystander');
  });
  afterAll(() => t?.close());

  const login = (email: string, pass: string, from: string, app = t.app) =>
    app.inject({ method: 'POST', url: '/v1/login', remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': from }, payload: { email, password: pass } });

  it('20 failed logins for one email from 20 addresses are limited; another account logs in at once', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 20; i++) answers.push((await login(victim.email, 'wrong password!', `203.0.113.${i + 1}`)).statusCode);
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(answers.slice(10)).toEqual(Array(10).fill(429));
    const limited = await login(victim.email.toUpperCase(), password, '203.0.113.99');
    expectProblem(limited, 429, 'rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The same load balancer address, another client behind it and another account: not limited.
    expect((await login(bystander.email, password, '198.51.100.7')).statusCode).toBe(200);
  });

  it('counts per client address from X-Forwarded-For, not per load balancer', async () => {
    const email = 'nobody@example.com';
    for (let i = 0; i < 10; i++) expect((await login(`${i}-${email}`, 'wrong password!', '192.0.2.50')).statusCode).toBe(401);
    expectProblem(await login(`x-${email}`, 'wrong password!', '192.0.2.50'), 429, 'rate-limited');
    expect((await login(`y-${email}`, 'wrong password!', '192.0.2.51')).statusCode).toBe(401);
  });

  it('two control planes on one database share the count', async () => {
    const replica = await buildApp({ prisma: t.db.prisma, trustProxy: 1, rateLimits: limits, housekeepingMs: 0 });
    try {
      const person = await signup(t.app, 'Shared');
      for (let i = 0; i < 5; i++) expect((await login(person.email, 'wrong password!', `198.18.0.${i}`)).statusCode).toBe(401);
      for (let i = 5; i < 10; i++) expect((await login(person.email, 'wrong password!', `198.18.0.${i}`, replica)).statusCode).toBe(401);
      expectProblem(await login(person.email, password, '198.18.0.10', replica), 429, 'rate-limited');
      expectProblem(await login(person.email, password, '198.18.0.11'), 429, 'rate-limited');
    } finally {
      await replica.close();
    }
  });

  it('loses no hit when requests race on one window', async () => {
    const hits = await Promise.all(Array.from({ length: 50 }, () => t.app.services.rateLimits.hit('race|test', 60_000)));
    expect(hits.map((h) => h.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(Math.max(...hits.map((h) => h.ttlMs))).toBeLessThanOrEqual(60_000);
  });

  it('limits API key and cluster creation per organization', async () => {
    const createKey = (auth: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: auth, payload: { description: 'burst' } });
    for (let i = 0; i < 3; i++) expect((await createKey(victim.auth)).statusCode).toBe(201);
    const limited = await createKey(victim.auth);
    expectProblem(limited, 429, 'rate-limited');
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await createKey(bystander.auth)).statusCode).toBe(201);

    const createCluster = (name: string) =>
      t.app.inject({ method: 'POST', url: '/v1/clusters', headers: victim.auth, payload: { name, plan: 'basic', region: 'local' } });
    const first = await createCluster('burst-1');
    expect(first.statusCode, first.body).toBe(202);
    expect((await createCluster('burst-2')).statusCode).toBe(202);
    expectProblem(await createCluster('burst-3'), 429, 'rate-limited');
  });

  it('a limited request claims no Idempotency-Key, and expired windows are purged', async () => {
    const limited = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { ...victim.auth, 'idempotency-key': 'while-limited' }, payload: { description: 'x' } });
    expectProblem(limited, 429, 'rate-limited');
    expect(await t.db.prisma.idempotencyRecord.count({ where: { key: 'while-limited' } })).toBe(0);
    const before = await t.db.prisma.rateLimitBucket.count();
    await t.db.prisma.rateLimitBucket.updateMany({ where: { key: 'race|test' }, data: { resetAt: new Date(Date.now() - 120_000) } });
    await t.app.housekeeping.runOnce();
    expect(await t.db.prisma.rateLimitBucket.count()).toBe(before - 1);
  });
});
