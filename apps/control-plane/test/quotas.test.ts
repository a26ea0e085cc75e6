import { randomBytes, randomUUID } from 'node:crypto';
import { defaultOrganizationLimits, plans } from '@fjord/api';
import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSecrets } from '../src/cluster-secrets.ts';
import { bearer, expectProblem, password, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

describe.each(backends)('quotas on $name', (backend) => {
  let t: TestApp;
  const secrets = new ClusterSecrets(randomBytes(32));
  beforeAll(async () => {
    t = await startTestApp(backend, { clusterSecrets: secrets });
  });
  afterAll(() => t?.close());

  const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: object, payload?: object) =>
    t.app.inject({ method, url, headers: headers as Record<string, string>, ...(payload ? { payload } : {}) });
  const createCluster = (org: SignedUp, name = `c-${randomUUID().slice(0, 8)}`) => inject('POST', '/v1/clusters', org.auth, { name, plan: 'basic' });
  const clusterOf = async (org: SignedUp) => {
    const res = await createCluster(org);
    expect(res.statusCode, res.body).toBe(202);
    return res.json().id as string;
  };
  const setLimits = (org: SignedUp, data: { maxClusters?: number; maxApiKeys?: number; maxClusterApiKeysPerCluster?: number }) =>
    t.db.prisma.organization.update({ where: { id: org.orgId }, data });
  const config = async (clusterId: string) => {
    const res = await inject('GET', `/internal/clusters/${clusterId}/config`, bearer(secrets.brokerToken(clusterId)));
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** A viewer of `org`'s organization, signed in there. */
  async function viewerOf(org: SignedUp) {
    const email = `viewer-${randomUUID().slice(0, 8)}@example.com`;
    await inject('POST', '/v1/signup', {}, { email, password, organizationName: 'Own' });
    expect((await inject('POST', '/v1/organization/members', org.auth, { email, role: 'viewer' })).statusCode).toBe(201);
    const login = await inject('POST', '/v1/login', {}, { email, password, organizationId: org.orgId });
    return { cookie: String(login.headers['set-cookie']).split(';')[0] };
  }
  const auditActions = async (org: SignedUp) => (await inject('GET', '/v1/audit-events', org.auth)).json().items.map((e: { action: string }) => e.action);

  describe('organization limits', () => {
    it('refuses a cluster over maxClusters with quota-exceeded naming the limit, and creates nothing', async () => {
      const org = await signup(t.app, 'MaxClusters');
      await setLimits(org, { maxClusters: 2 });
      await clusterOf(org);
      await clusterOf(org);
      const body = expectProblem(await createCluster(org), 403, 'quota-exceeded');
      expect(body.code).toBe('FJ_QUOTA_EXCEEDED');
      expect(body.detail).toMatch(/maxClusters is 2/);
      expect(await t.db.prisma.cluster.count({ where: { orgId: org.orgId } })).toBe(2);
    });

    it('never exceeds maxClusters under 20 concurrent creates', async () => {
      const org = await signup(t.app, 'Concurrent');
      await setLimits(org, { maxClusters: 5 });
      const answers = await Promise.all(Array.from({ length: 20 }, () => createCluster(org)));
      const statuses = answers.map((r) => r.statusCode).sort();
      expect(statuses.filter((s) => s === 202)).toHaveLength(5);
      expect(statuses.filter((s) => s === 403)).toHaveLength(15);
      for (const refused of answers.filter((r) => r.statusCode === 403)) expectProblem(refused, 403, 'quota-exceeded');
      expect(await t.db.prisma.cluster.count({ where: { orgId: org.orgId } })).toBe(5);
    });

    it('frees a place once a cluster is being deleted', async () => {
      const org = await signup(t.app, 'Frees');
      await setLimits(org, { maxClusters: 1 });
      const first = await clusterOf(org);
      expectProblem(await createCluster(org), 403, 'quota-exceeded');
      expect((await inject('DELETE', `/v1/clusters/${first}`, org.auth)).statusCode).toBe(202);
      expect((await createCluster(org)).statusCode).toBe(202);
    });

    it('refuses cloud API keys over maxApiKeys, and cluster API keys over maxClusterApiKeysPerCluster on each cluster', async () => {
      const org = await signup(t.app, 'MaxKeys');
      await setLimits(org, { maxApiKeys: 1, maxClusterApiKeysPerCluster: 1 });
      expect((await inject('POST', '/v1/api-keys', org.auth, { description: 'one' })).statusCode).toBe(201);
      expect(expectProblem(await inject('POST', '/v1/api-keys', org.auth, { description: 'two' }), 403, 'quota-exceeded').detail).toMatch(/maxApiKeys is 1/);
      expect(await t.db.prisma.apiKey.count({ where: { orgId: org.orgId } })).toBe(1);

      const [a, b] = [await clusterOf(org), await clusterOf(org)];
      expect((await inject('POST', `/v1/clusters/${a}/api-keys`, org.auth, { description: 'one' })).statusCode).toBe(201);
      const refused = expectProblem(await inject('POST', `/v1/clusters/${a}/api-keys`, org.auth, { description: 'two' }), 403, 'quota-exceeded');
      expect(refused.detail).toMatch(/maxClusterApiKeysPerCluster is 1/);
      expect(await t.db.prisma.clusterApiKey.count({ where: { clusterId: a } })).toBe(1);
      expect((await inject('POST', `/v1/clusters/${b}/api-keys`, org.auth, { description: 'other cluster' })).statusCode).toBe(201);
    });
  });

  describe('GET /v1/quotas', () => {
    it("shows the organization's limits with their use, and each cluster's effective quotas with the brokers' last reading", async () => {
      const org = await signup(t.app, 'Overview');
      const clusterId = await clusterOf(org);
      await inject('POST', `/v1/clusters/${clusterId}/api-keys`, org.auth, { description: 'k' });
      await inject('POST', '/v1/api-keys', org.auth, { description: 'ci' });
      const limits = plans.basic.limits;

      const before = await inject('GET', '/v1/quotas', org.auth);
      expect(before.statusCode, before.body).toBe(200);
      expect(before.json()).toEqual({
        clusters: { limit: defaultOrganizationLimits.maxClusters, used: 1 },
        apiKeys: { limit: defaultOrganizationLimits.maxApiKeys, used: 1 },
        clusterApiKeysPerCluster: { limit: defaultOrganizationLimits.maxClusterApiKeysPerCluster },
        clusterQuotas: [
          {
            clusterId,
            name: expect.any(String),
            plan: 'basic',
            measuredAt: null,
            ingressBytesPerSecond: { limit: limits.ingressBytesPerSecond, used: null },
            egressBytesPerSecond: { limit: limits.egressBytesPerSecond, used: null },
            partitions: { limit: limits.maxPartitions, used: null },
            storageBytes: { limit: limits.storageBytes, used: null },
            connections: { limit: limits.maxConnections, used: null },
            maxMessageBytes: { limit: limits.maxMessageBytes },
            maxRetentionMs: { limit: limits.maxRetentionMs },
            apiKeys: { limit: defaultOrganizationLimits.maxClusterApiKeysPerCluster, used: 1 },
          },
        ],
      });

      const at = new Date(Date.now() - 2_000);
      await t.db.prisma.brokerStatus.create({
        data: { clusterId, nodeId: 1, at, partitions: 7, hotStoredBytes: 123_456_789_012n, connections: 3, ingressBytesPerSecond: 2048.5, egressBytesPerSecond: 512 },
      });
      expect((await inject('PATCH', `/v1/clusters/${clusterId}/quotas`, org.auth, { ingressBytesPerSecond: 1_000_000 })).statusCode).toBe(200);
      await setLimits(org, { maxClusters: 3 });
      const after = (await inject('GET', '/v1/quotas', org.auth)).json();
      expect(after.clusters).toEqual({ limit: 3, used: 1 });
      expect(after.clusterQuotas[0]).toMatchObject({
        measuredAt: at.toISOString(),
        ingressBytesPerSecond: { limit: 1_000_000, used: 2048.5 },
        egressBytesPerSecond: { limit: limits.egressBytesPerSecond, used: 512 },
        partitions: { limit: limits.maxPartitions, used: 7 },
        storageBytes: { limit: limits.storageBytes, used: 123_456_789_012 },
        connections: { limit: limits.maxConnections, used: 3 },
      });

      const other = await signup(t.app, 'OtherOverview');
      expect((await inject('GET', '/v1/quotas', other.auth)).json().clusterQuotas).toEqual([]);
      expectProblem(await inject('GET', '/v1/quotas', {}), 401, 'unauthorized');
    });
  });

  describe('cluster quotas, per-key quotas and settings', () => {
    let org: SignedUp;
    let clusterId: string;
    let viewer: { cookie: string };
    let stranger: SignedUp;
    beforeAll(async () => {
      org = await signup(t.app, 'ClusterQuotas');
      clusterId = await clusterOf(org);
      viewer = await viewerOf(org);
      stranger = await signup(t.app, 'Stranger');
    });

    it('sets quotas at or below the ceiling, sends them to the brokers with a new version, and removes them with null', async () => {
      const { version } = await config(clusterId);
      const res = await inject('PATCH', `/v1/clusters/${clusterId}/quotas`, org.auth, {
        ingressBytesPerSecond: 1_048_576,
        maxConnections: 20,
        defaultKeyQuota: { egressBytesPerSecond: 4096 },
      });
      expect(res.statusCode, res.body).toBe(200);
      const ceiling = plans.basic.limits;
      expect(res.json()).toEqual({
        clusterId,
        plan: 'basic',
        ceiling,
        overrides: { ingressBytesPerSecond: 1_048_576, maxConnections: 20 },
        effective: { ...ceiling, ingressBytesPerSecond: 1_048_576, maxConnections: 20 },
        defaultKeyQuota: { egressBytesPerSecond: 4096 },
      });
      expect((await inject('GET', `/v1/clusters/${clusterId}/quotas`, org.auth)).json()).toEqual(res.json());
      const sent = await config(clusterId);
      expect(sent.version).toBeGreaterThan(version);
      expect(sent.quotas).toEqual({ ...ceiling, ingressBytesPerSecond: 1_048_576, maxConnections: 20 });
      expect(sent.clientQuotas.default).toEqual({ egressBytesPerSecond: 4096 });

      // A quota at the ceiling is allowed; null takes the ceiling back.
      const reset = await inject('PATCH', `/v1/clusters/${clusterId}/quotas`, org.auth, { ingressBytesPerSecond: null, maxConnections: ceiling.maxConnections, defaultKeyQuota: null });
      expect(reset.statusCode, reset.body).toBe(200);
      expect(reset.json()).toMatchObject({ overrides: { maxConnections: ceiling.maxConnections }, effective: ceiling, defaultKeyQuota: null });
      expect((await config(clusterId)).clientQuotas).toEqual({ keys: {} });
      expect(await auditActions(org)).toContain('cluster_quotas.update');
    });

    it("wakes the brokers' config long poll as soon as a quota changes", async () => {
      const { version } = await config(clusterId);
      const poll = inject('GET', `/internal/clusters/${clusterId}/config?after=${version}&waitMs=20000`, bearer(secrets.brokerToken(clusterId)));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      expect((await inject('PATCH', `/v1/clusters/${clusterId}/quotas`, org.auth, { egressBytesPerSecond: 2_000_000 })).statusCode).toBe(200);
      const answer = (await poll).json();
      expect(answer.version).toBeGreaterThan(version);
      expect(answer.quotas.egressBytesPerSecond).toBe(2_000_000);
      // Bounded by the poll's 20 s otherwise; within the 1 s the brokers have to apply a change.
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it("refuses a quota above the plan's ceiling with 400 naming the ceiling, and changes nothing", async () => {
      const before = (await inject('GET', `/v1/clusters/${clusterId}/quotas`, org.auth)).json();
      const { ingressBytesPerSecond, maxRetentionMs } = plans.basic.limits;
      const body = expectProblem(
        await inject('PATCH', `/v1/clusters/${clusterId}/quotas`, org.auth, { ingressBytesPerSecond: ingressBytesPerSecond + 1, maxRetentionMs: -1, maxPartitions: 1 }),
        400,
        'validation',
      );
      expect(body.errors?.map((e) => e.field).sort()).toEqual(['ingressBytesPerSecond', 'maxRetentionMs']);
      expect(body.detail).toContain(`ingressBytesPerSecond is above the plan's ceiling of ${ingressBytesPerSecond}`);
      expect(body.detail).toContain(`maxRetentionMs is above the plan's ceiling of ${maxRetentionMs}`);
      const keyRefused = expectProblem(
        await inject('PATCH', `/v1/clusters/${clusterId}/quotas`, org.auth, { defaultKeyQuota: { ingressBytesPerSecond: ingressBytesPerSecond * 2 } }),
        400,
        'validation',
      );
      expect(keyRefused.errors?.map((e) => e.field)).toEqual(['defaultKeyQuota.ingressBytesPerSecond']);
      expect((await inject('GET', `/v1/clusters/${clusterId}/quotas`, org.auth)).json()).toEqual(before);
    });

    it('refuses bad bodies with 400, a viewer with 403 and another organization with 404', async () => {
      for (const payload of [{}, { ingressBytesPerSecond: 0 }, { maxRetentionMs: -2 }, { storageBytes: 'lots' }, { partitions: 5 }, { defaultKeyQuota: { ingress: 1 } }]) {
        expectProblem(await inject('PATCH', `/v1/clusters/${clusterId}/quotas`, org.auth, payload), 400, 'validation');
      }
      expectProblem(await inject('PATCH', `/v1/clusters/${clusterId}/quotas`, viewer, { maxConnections: 5 }), 403, 'forbidden');
      expect((await inject('GET', `/v1/clusters/${clusterId}/quotas`, viewer)).statusCode).toBe(200);
      expectProblem(await inject('PATCH', `/v1/clusters/${clusterId}/quotas`, stranger.auth, { maxConnections: 5 }), 404, 'not-found');
      expectProblem(await inject('GET', `/v1/clusters/${clusterId}/quotas`, stranger.auth), 404, 'not-found');
      expectProblem(await inject('PATCH', `/v1/clusters/${randomUUID()}/quotas`, org.auth, { maxConnections: 5 }), 404, 'not-found');
    });

    it("sets one key's byte rates, sent to the brokers under its SASL username; null clears them", async () => {
      const key = (await inject('POST', `/v1/clusters/${clusterId}/api-keys`, org.auth, { description: 'throttled' })).json();
      const url = `/v1/clusters/${clusterId}/api-keys/${key.id}`;
      const res = await inject('PATCH', url, org.auth, { quota: { ingressBytesPerSecond: 1_048_576, egressBytesPerSecond: 2_097_152 } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: key.id, description: 'throttled', quota: { ingressBytesPerSecond: 1_048_576, egressBytesPerSecond: 2_097_152 } });
      expect((await inject('GET', url, org.auth)).json().quota).toEqual({ ingressBytesPerSecond: 1_048_576, egressBytesPerSecond: 2_097_152 });
      expect((await config(clusterId)).clientQuotas.keys[key.key]).toEqual({ ingressBytesPerSecond: 1_048_576, egressBytesPerSecond: 2_097_152 });

      const cleared = await inject('PATCH', url, org.auth, { quota: { egressBytesPerSecond: null }, description: 'renamed' });
      expect(cleared.json()).toMatchObject({ description: 'renamed', quota: { ingressBytesPerSecond: 1_048_576 } });
      expect((await config(clusterId)).clientQuotas.keys[key.key]).toEqual({ ingressBytesPerSecond: 1_048_576 });
      expect(await auditActions(org)).toContain('cluster_api_key.update');

      const over = expectProblem(await inject('PATCH', url, org.auth, { quota: { egressBytesPerSecond: plans.basic.limits.egressBytesPerSecond + 1 } }), 400, 'validation');
      expect(over.errors?.map((e) => e.field)).toEqual(['quota.egressBytesPerSecond']);
      for (const payload of [{}, { quota: { ingressBytesPerSecond: -1 } }, { quota: { rate: 1 } }]) expectProblem(await inject('PATCH', url, org.auth, payload), 400, 'validation');
      expectProblem(await inject('PATCH', url, viewer, { quota: { ingressBytesPerSecond: 1 } }), 403, 'forbidden');
      expectProblem(await inject('PATCH', url, stranger.auth, { quota: { ingressBytesPerSecond: 1 } }), 404, 'not-found');
      expectProblem(await inject('PATCH', `/v1/clusters/${clusterId}/api-keys/${randomUUID()}`, org.auth, { quota: { ingressBytesPerSecond: 1 } }), 404, 'not-found');
    });

    it('turns auto-creation of topics on and off (off by default), shown on the cluster and sent to the brokers', async () => {
      const url = `/v1/clusters/${clusterId}`;
      expect((await inject('GET', url, org.auth)).json().settings).toEqual({ autoCreateTopics: false });
      const { version } = await config(clusterId);
      const on = await inject('PATCH', url, org.auth, { settings: { autoCreateTopics: true } });
      expect(on.statusCode, on.body).toBe(200);
      expect(on.json()).toMatchObject({ id: clusterId, settings: { autoCreateTopics: true } });
      expect((await inject('GET', url, org.auth)).json().settings).toEqual({ autoCreateTopics: true });
      const sent = await config(clusterId);
      expect(sent.settings).toEqual({ autoCreateTopics: true });
      expect(sent.version).toBeGreaterThan(version);
      expect(await auditActions(org)).toContain('cluster.update');
      expect((await inject('PATCH', url, org.auth, { settings: { autoCreateTopics: false } })).json().settings).toEqual({ autoCreateTopics: false });
      expect((await config(clusterId)).settings).toEqual({ autoCreateTopics: false });

      for (const payload of [{}, { settings: { autoCreateTopics: 'yes' } }, { settings: { other: true } }, { name: 'renamed' }]) {
        expectProblem(await inject('PATCH', url, org.auth, payload), 400, 'validation');
      }
      expectProblem(await inject('PATCH', url, viewer, { settings: { autoCreateTopics: true } }), 403, 'forbidden');
      expectProblem(await inject('PATCH', url, stranger.auth, { settings: { autoCreateTopics: true } }), 404, 'not-found');
    });
  });
});
