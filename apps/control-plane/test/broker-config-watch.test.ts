import { randomBytes, randomUUID } from 'node:crypto';
import { testBackends } from '@fjord/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { ClusterSecrets } from '../src/cluster-secrets.ts';
import { bearer, expectProblem, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

/** Settles with the value, or with 'pending' if it has not settled within `ms`. */
const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);

describe.each(backends)("brokers' config long poll on $name", (backend) => {
  let t: TestApp;
  let other: FastifyInstance;
  let a: SignedUp;
  let clusterId: string;
  let token: string;
  const secrets = new ClusterSecrets(randomBytes(32));

  beforeAll(async () => {
    t = await startTestApp(backend, { clusterSecrets: secrets });
    // A second replica on the same database: its changes are not announced to the first one's process.
    other = await buildApp({ prisma: t.db.prisma, clusterSecrets: secrets });
    a = await signup(t.app, 'Watch');
    const res = await t.app.inject({ method: 'POST', url: '/v1/clusters', headers: a.auth, payload: { name: `w-${randomUUID().slice(0, 8)}`, plan: 'basic' } });
    clusterId = res.json().id;
    token = secrets.brokerToken(clusterId);
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  const config = async (app: FastifyInstance, query = '') => {
    const res = await app.inject({ method: 'GET', url: `/internal/clusters/${clusterId}/config${query}`, headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { version: number; credentials: { key: string }[] };
  };
  const createKey = (app: FastifyInstance) => app.inject({ method: 'POST', url: `/v1/clusters/${clusterId}/api-keys`, headers: a.auth, payload: { description: 'w' } }).then((r) => r.json());

  it('answers a poll for a newer version at once, and holds one for the current version until a change commits here', async () => {
    const { version } = await config(t.app);
    expect((await config(t.app, `?after=${version - 1}&waitMs=20000`)).version).toBe(version);

    const poll = config(t.app, `?after=${version}&waitMs=20000`);
    expect(await within(poll, 300)).toBe('pending');
    const key = await createKey(t.app);
    const answered = await within(poll, 5_000);
    expect(answered).not.toBe('pending');
    expect((answered as { version: number }).version).toBeGreaterThan(version);
    expect((answered as { credentials: { key: string }[] }).credentials.map((c) => c.key)).toContain(key.key);
  });

  it("sees another replica's change through its batched version check", async () => {
    const { version } = await config(t.app);
    const poll = config(t.app, `?after=${version}&waitMs=20000`);
    expect(await within(poll, 300)).toBe('pending');
    await createKey(other);
    const answered = await within(poll, 5_000);
    expect(answered).not.toBe('pending');
    expect((answered as { version: number }).version).toBeGreaterThan(version);
  });

  it('answers the same config when the wait runs out, and refuses waits over the cap', async () => {
    const { version } = await config(t.app);
    expect((await config(t.app, `?after=${version}&waitMs=200`)).version).toBe(version);
    const res = await t.app.inject({ method: 'GET', url: `/internal/clusters/${clusterId}/config?after=${version}&waitMs=600000`, headers: bearer(token) });
    expectProblem(res, 400, 'validation');
    expectProblem(await t.app.inject({ method: 'GET', url: `/internal/clusters/${clusterId}/config?after=${version}&waitMs=1000` }), 401, 'unauthorized');
  });

  it('releases waiting polls when the server closes', async () => {
    const closing = await buildApp({ prisma: t.db.prisma, clusterSecrets: secrets });
    const { version } = await config(closing);
    const poll = config(closing, `?after=${version}&waitMs=20000`);
    expect(await within(poll, 300)).toBe('pending');
    const closed = closing.close();
    expect(await within(poll, 5_000)).toMatchObject({ version });
    await closed;
  });
});
