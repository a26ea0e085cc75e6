import { randomBytes, randomUUID } from 'node:crypto';
import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSecrets } from '../src/cluster-secrets.ts';
import { bearer, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('broker status reports on $name', (backend) => {
  let t: TestApp;
  let a: SignedUp;
  let clusterId: string;
  const secrets = new ClusterSecrets(randomBytes(32));

  beforeAll(async () => {
    t = await startTestApp(backend, { clusterSecrets: secrets });
    a = await signup(t.app, 'BrokerStatus');
    const res = await t.app.inject({ method: 'POST', url: '/v1/clusters', headers: a.auth, payload: { name: `s-${randomUUID().slice(0, 8)}`, plan: 'basic' } });
    clusterId = res.json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const report = (over: Record<string, unknown> = {}) => ({
    clusterId,
    nodeId: 0,
    at: new Date().toISOString(),
    partitions: 12,
    hotStoredBytes: '123456789012',
    connections: 3,
    ingressBytesPerSecond: 1024.5,
    egressBytesPerSecond: 0,
    ...over,
  });
  const post = (body: unknown, token = secrets.brokerToken(clusterId), id = clusterId) =>
    t.app.inject({ method: 'POST', url: `/internal/clusters/${id}/status`, headers: bearer(token), payload: body as object });

  it('keeps the newest report of each broker, shown by GET /v1/quotas', async () => {
    expect((await post(report())).statusCode).toBe(204);
    const later = report({ at: new Date(Date.now() + 1000).toISOString(), partitions: 13, hotStoredBytes: '5' });
    expect((await post(later)).statusCode).toBe(204);
    // A delayed older report does not roll the reading back.
    expect((await post(report({ partitions: 1 }))).statusCode).toBe(204);
    const quotas = await t.app.inject({ method: 'GET', url: '/v1/quotas', headers: a.auth });
    expect(quotas.statusCode, quotas.body).toBe(200);
    const use = quotas.json().clusterQuotas.find((c: { clusterId: string }) => c.clusterId === clusterId);
    expect(use).toMatchObject({ measuredAt: later.at, partitions: { used: 13 }, storageBytes: { used: 5 }, connections: { used: 3 }, ingressBytesPerSecond: { used: 1024.5 } });
  });

  it('refuses a wrong token (401), a report of another cluster and a malformed one (400)', async () => {
    const wrong = await post(report(), 'not-the-token');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    const other = await post(report({ clusterId: randomUUID() }));
    expect(other.statusCode).toBe(400);
    expect(other.json().detail).toContain('names cluster');
    const bad = await post(report({ hotStoredBytes: -1 }));
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });
});
