import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { testBackends } from '@fjord/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/helpers/control-plane.ts';
import { buildApp } from '../src/app.ts';
import { ClusterSecrets } from '../src/cluster-secrets.ts';
import { expectProblem, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

// `GET /v1/clusters/:id?waitFor=` holds the request until the status is reached. Here the
// reconciler's part is played by direct row updates: announced (as this process's reconciler does)
// or not (as another replica's would be, seen only by the periodic re-check).
describe.each(backends)('waiting for a cluster on $name', (backend) => {
  let t: TestApp;
  let a: SignedUp;
  const secrets = new ClusterSecrets(randomBytes(32));

  beforeAll(async () => {
    // A re-check far beyond every test's wait: only announced changes can end a wait early.
    t = await startTestApp(backend, { clusterSecrets: secrets, clusterWaitRecheckMs: 60_000 });
    a = await signup(t.app, 'Waiter');
  });
  afterAll(() => t?.close());

  let n = 0;
  async function newCluster(app: FastifyInstance = t.app) {
    const res = await app.inject({ method: 'POST', url: '/v1/clusters', headers: a.auth, payload: { name: `w-${n++}`, plan: 'basic' } });
    expect(res.statusCode, res.body).toBe(202);
    return res.json() as { id: string };
  }
  const wait = (id: string, query: string, app: FastifyInstance = t.app) => app.inject({ method: 'GET', url: `/v1/clusters/${id}?${query}`, headers: a.auth });
  const setStatus = (id: string, status: 'RUNNING' | 'FAILED') =>
    t.db.prisma.cluster.update({ where: { id }, data: { status, ...(status === 'FAILED' ? { failureReason: 'broker exited' } : {}) } });

  it('answers as soon as an announced transition reaches the status', async () => {
    const { id } = await newCluster();
    const started = Date.now();
    const answer = wait(id, 'waitFor=RUNNING&timeoutMs=20000');
    await until('the request to wait', () => (t.app.services.clusterChanges.waiting === 1 ? true : undefined), 5_000, 10);
    await setStatus(id, 'RUNNING');
    t.app.services.clusterChanges.notify(id);
    const res = await answer;
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('RUNNING');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(t.app.services.clusterChanges.waiting).toBe(0);
  });

  it('answers with the current state, 200, when the timeout passes first', async () => {
    const { id } = await newCluster();
    const started = Date.now();
    const res = await wait(id, 'waitFor=RUNNING&timeoutMs=300');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('PROVISIONING');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('answers at once when the status is already there or can no longer be reached (FAILED for RUNNING)', async () => {
    const { id } = await newCluster();
    const now = await wait(id, 'waitFor=PROVISIONING&timeoutMs=20000');
    expect(now.json().status).toBe('PROVISIONING');
    await setStatus(id, 'FAILED');
    const started = Date.now();
    const failed = await wait(id, 'waitFor=RUNNING&timeoutMs=20000');
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toMatchObject({ status: 'FAILED', failureReason: 'broker exited' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('waitFor=DELETED answers 404 once the cluster is gone', async () => {
    const { id } = await newCluster();
    const deleting = await t.app.inject({ method: 'DELETE', url: `/v1/clusters/${id}`, headers: { ...a.auth, 'content-type': 'application/json' }, payload: '' });
    expect(deleting.statusCode, deleting.body).toBe(202);
    const answer = wait(id, 'waitFor=DELETED&timeoutMs=20000');
    await until('the request to wait', () => (t.app.services.clusterChanges.waiting === 1 ? true : undefined), 5_000, 10);
    await t.db.prisma.cluster.delete({ where: { id } });
    t.app.services.clusterChanges.notify(id);
    expectProblem(await answer, 404, 'not-found');
  });

  it("another organization's cluster is not found, without waiting", async () => {
    const { id } = await newCluster();
    const other = await signup(t.app, 'Other');
    const res = await t.app.inject({ method: 'GET', url: `/v1/clusters/${id}?waitFor=RUNNING&timeoutMs=20000`, headers: other.auth });
    expectProblem(res, 404, 'not-found');
  });

  it('refuses a wait over 30 s and an unknown status, naming the query field', async () => {
    const { id } = await newCluster();
    expect(expectProblem(await wait(id, 'waitFor=RUNNING&timeoutMs=30001'), 400, 'validation').errors!.map((e) => e.field)).toEqual(['query.timeoutMs']);
    expect(expectProblem(await wait(id, 'waitFor=READY'), 400, 'validation').errors!.map((e) => e.field)).toEqual(['query.waitFor']);
  });

  it("sees another replica's change by looking again, without being told", async () => {
    const replica = await buildApp({ prisma: t.db.prisma, clusterSecrets: secrets, clusterWaitRecheckMs: 100 });
    try {
      const { id } = await newCluster();
      const started = Date.now();
      const answer = wait(id, 'waitFor=RUNNING&timeoutMs=20000', replica);
      await until('the request to wait', () => (replica.services.clusterChanges.waiting === 1 ? true : undefined), 5_000, 10);
      await setStatus(id, 'RUNNING');
      const res = await answer;
      expect(res.json().status).toBe('RUNNING');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await replica.close();
    }
  });

  it('releases waiters when the app closes, answering with the current state', async () => {
    const closing = await buildApp({ prisma: t.db.prisma, clusterSecrets: secrets, clusterWaitRecheckMs: 60_000 });
    const { id } = await newCluster(closing);
    const answer = wait(id, 'waitFor=RUNNING&timeoutMs=30000', closing);
    await until('the request to wait', () => (closing.services.clusterChanges.waiting === 1 ? true : undefined), 5_000, 10);
    const started = Date.now();
    await closing.close();
    const res = await answer;
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('PROVISIONING');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops waiting when the client disconnects', async () => {
    const served = await buildApp({ prisma: t.db.prisma, clusterSecrets: secrets, clusterWaitRecheckMs: 60_000 });
    try {
      await served.listen({ host: '127.0.0.1', port: 0 });
      const { port } = served.server.address() as AddressInfo;
      const { id } = await newCluster(served);
      const client = new AbortController();
      const request = fetch(`http://127.0.0.1:${port}/v1/clusters/${id}?waitFor=RUNNING&timeoutMs=30000`, { headers: a.auth, signal: client.signal });
      await until('the request to wait', () => (served.services.clusterChanges.waiting === 1 ? true : undefined), 5_000, 10);
      client.abort();
      await expect(request).rejects.toThrow();
      await until('the waiter to be released', () => (served.services.clusterChanges.waiting === 0 ? true : undefined), 2_000, 10);
    } finally {
      await served.close();
    }
  });
});
