import { randomBytes, randomUUID } from 'node:crypto';
import { plans } from '@fjord/api';
import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSecrets } from '../src/cluster-secrets.ts';
import { effectiveQuotas } from '../src/internal/cluster-config.ts';
import { bearer, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe('effective cluster quotas', () => {
  const ceiling = plans.standard.limits;

  it("takes the plan's ceiling where nothing is set, and a setting only where it is lower", () => {
    expect(effectiveQuotas(ceiling, {})).toEqual(ceiling);
    const q = effectiveQuotas(ceiling, { ingressBytesPerSecond: 1024, maxPartitions: ceiling.maxPartitions * 2 });
    expect(q.ingressBytesPerSecond).toBe(1024);
    expect(q.maxPartitions).toBe(ceiling.maxPartitions);
  });

  it('treats -1 retention as the widest', () => {
    expect(effectiveQuotas({ ...ceiling, maxRetentionMs: -1 }, { maxRetentionMs: 5_000 }).maxRetentionMs).toBe(5_000);
    expect(effectiveQuotas({ ...ceiling, maxRetentionMs: 60_000 }, { maxRetentionMs: -1 }).maxRetentionMs).toBe(60_000);
  });
});

describe.each(backends)('quotas and settings in the cluster config on $name', (backend) => {
  let t: TestApp;
  let a: SignedUp;
  let clusterId: string;
  const secrets = new ClusterSecrets(randomBytes(32));

  beforeAll(async () => {
    t = await startTestApp(backend, { clusterSecrets: secrets });
    a = await signup(t.app, 'QuotaConfig');
    const res = await t.app.inject({ method: 'POST', url: '/v1/clusters', headers: a.auth, payload: { name: `q-${randomUUID().slice(0, 8)}`, plan: 'basic' } });
    clusterId = res.json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const config = async () => {
    const res = await t.app.inject({ method: 'GET', url: `/internal/clusters/${clusterId}/config`, headers: bearer(secrets.brokerToken(clusterId)) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it("sends the plan's limits, no per-key quotas and auto-creation off for a new cluster", async () => {
    const c = await config();
    expect(c.quotas).toEqual(plans.basic.limits);
    expect(c.clientQuotas).toEqual({ keys: {} });
    expect(c.settings).toEqual({ autoCreateTopics: false });
  });

  it('sends the quotas, per-key quotas and settings stored for the cluster', async () => {
    const key = (await t.app.inject({ method: 'POST', url: `/v1/clusters/${clusterId}/api-keys`, headers: a.auth, payload: { description: 'q' } })).json();
    await t.db.prisma.cluster.update({
      where: { id: clusterId },
      data: { quotaOverrides: { ingressBytesPerSecond: 1_048_576 }, defaultKeyQuota: { egressBytesPerSecond: 2048 }, autoCreateTopics: true },
    });
    await t.db.prisma.clusterApiKey.update({ where: { id: key.id }, data: { ingressBytesPerSecond: 4096 } });
    const c = await config();
    expect(c.quotas).toEqual({ ...plans.basic.limits, ingressBytesPerSecond: 1_048_576 });
    expect(c.clientQuotas).toEqual({ default: { egressBytesPerSecond: 2048 }, keys: { [key.key]: { ingressBytesPerSecond: 4096 } } });
    expect(c.settings).toEqual({ autoCreateTopics: true });
  });
});
