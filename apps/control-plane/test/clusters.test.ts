import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { ClusterSecrets } from '../src/cluster-secrets.ts';
import { bearer, createApiKey, expectProblem, password, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const backends = await testBackends();

/** Checks a `sha256$<salt>$<hash>` credential the way the broker does. */
function verifies(secretHash: string, secret: string): boolean {
  const [scheme, salt, hash] = secretHash.split('$');
  return scheme === 'sha256' && createHash('sha256').update(Buffer.from(salt, 'base64')).update(secret, 'utf8').digest('base64') === hash;
}

describe.each(backends)('clusters on $name', (backend) => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  const secrets = new ClusterSecrets(randomBytes(32));
  let woken = 0;

  beforeAll(async () => {
    t = await startTestApp(backend, { clusterSecrets: secrets, onClusterChange: () => woken++ });
    a = await signup(t.app, 'Alpha');
    b = await signup(t.app, 'Beta');
  });
  afterAll(() => t?.close());

  const createCluster = (headers: Record<string, string>, payload: unknown) => t.app.inject({ method: 'POST', url: '/v1/clusters', headers, payload: payload as object });

  async function newCluster(name = `c-${randomUUID().slice(0, 8)}`, headers = a.auth) {
    const res = await createCluster(headers, { name, plan: 'basic' });
    expect(res.statusCode, res.body).toBe(202);
    return res.json() as { id: string; name: string; status: string; bootstrapServers: string };
  }

  it('lists the plans without credentials, each with limits and prices', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/plans' });
    expect(res.statusCode).toBe(200);
    const names = res.json().items.map((p: { name: string }) => p.name);
    expect(names).toEqual(['basic', 'standard', 'dedicated']);
    for (const plan of res.json().items) {
      expect(plan.limits.maxPartitions).toBeGreaterThan(0);
      expect(plan.prices.currency).toBe('USD');
    }
  });

  it('accepts a cluster with 202 PROVISIONING, a bootstrap address and a first event, and wakes the reconciler', async () => {
    const before = woken;
    const res = await createCluster(a.auth, { name: 'orders', plan: 'standard' });
    expect(res.statusCode, res.body).toBe(202);
    const cluster = res.json();
    expect(cluster).toMatchObject({ name: 'orders', plan: 'standard', region: 'local', status: 'PROVISIONING' });
    expect(cluster.bootstrapServers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(cluster.failureReason).toBeUndefined();
    expect(woken).toBe(before + 1);
    const got = await t.app.inject({ method: 'GET', url: `/v1/clusters/${cluster.id}`, headers: a.auth });
    expect(got.json()).toEqual(cluster);
    const events = await t.app.inject({ method: 'GET', url: `/v1/clusters/${cluster.id}/events`, headers: a.auth });
    expect(events.json().items.map((e: { type: string }) => e.type)).toEqual(['cluster.requested']);
  });

  it('refuses a second cluster of the same name in the organization (409), not in another one', async () => {
    const name = `dup-${randomUUID().slice(0, 8)}`;
    await newCluster(name);
    expectProblem(await createCluster(a.auth, { name, plan: 'basic' }), 409, 'conflict');
    await newCluster(name, b.auth);
  });

  it('gives each cluster its own port', async () => {
    const one = await newCluster();
    const two = await newCluster();
    expect(one.bootstrapServers).not.toBe(two.bootstrapServers);
  });

  it('answers 503 and writes nothing when every port it is offered is already a cluster\'s', async () => {
    const taken = await newCluster();
    const port = Number(taken.bootstrapServers.split(':')[1]);
    const crowded = await buildApp({ prisma: t.db.prisma, clusterSecrets: secrets, placement: { host: '127.0.0.1', allocatePort: async () => port } });
    try {
      const before = await t.db.prisma.cluster.count();
      const res = await crowded.inject({ method: 'POST', url: '/v1/clusters', headers: a.auth, payload: { name: `crowded-${randomUUID().slice(0, 8)}`, plan: 'basic' } });
      expectProblem(res, 503, 'unavailable');
      expect(await t.db.prisma.cluster.count()).toBe(before);
    } finally {
      await crowded.close();
    }
  });

  it('names the invalid fields (400)', async () => {
    const res = expectProblem(await createCluster(a.auth, { name: '-bad name', plan: 'gold', extra: 1 }), 400, 'validation');
    expect(res.errors!.map((e) => e.field).sort()).toEqual(['extra', 'name', 'plan']);
    expectProblem(await createCluster(a.auth, { plan: 'basic' }), 400, 'validation');
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/clusters/not-a-uuid', headers: a.auth }), 400, 'validation');
  });

  it('pages the list with a cursor', async () => {
    const org = await signup(t.app, 'Pager');
    const ids = [(await newCluster('p1', org.auth)).id, (await newCluster('p2', org.auth)).id, (await newCluster('p3', org.auth)).id];
    const first = (await t.app.inject({ method: 'GET', url: '/v1/clusters', headers: org.auth, query: { limit: '2' } })).json();
    expect(first.items.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 2));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await t.app.inject({ method: 'GET', url: '/v1/clusters', headers: org.auth, query: { limit: '2', cursor: first.nextCursor } })).json();
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
  });

  it("hides another organization's cluster, its keys and its events (404)", async () => {
    const cluster = await newCluster();
    const key = (await t.app.inject({ method: 'POST', url: `/v1/clusters/${cluster.id}/api-keys`, headers: a.auth, payload: { description: 'k' } })).json();
    const asB = bearer((await createApiKey(t.app, b.auth)).secret);
    for (const headers of [b.auth, asB]) {
      const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url, headers, payload });
      expectProblem(await call('GET', `/v1/clusters/${cluster.id}`), 404, 'not-found');
      expectProblem(await call('DELETE', `/v1/clusters/${cluster.id}`), 404, 'not-found');
      expectProblem(await call('GET', `/v1/clusters/${cluster.id}/events`), 404, 'not-found');
      expectProblem(await call('GET', `/v1/clusters/${cluster.id}/api-keys`), 404, 'not-found');
      expectProblem(await call('POST', `/v1/clusters/${cluster.id}/api-keys`, { description: 'x' }), 404, 'not-found');
      expectProblem(await call('GET', `/v1/clusters/${cluster.id}/api-keys/${key.id}`), 404, 'not-found');
      expectProblem(await call('DELETE', `/v1/clusters/${cluster.id}/api-keys/${key.id}`), 404, 'not-found');
      const list = (await call('GET', '/v1/clusters')).json();
      expect(list.items.map((c: { id: string }) => c.id)).not.toContain(cluster.id);
    }
    await expect(t.app.services.clusters.connection(b.orgId, cluster.id)).rejects.toMatchObject({ definition: { code: 'FJ_NOT_FOUND' } });
    expect((await t.app.inject({ method: 'GET', url: `/v1/clusters/${cluster.id}/api-keys/${key.id}`, headers: a.auth })).statusCode).toBe(200);
  });

  it('lets a viewer read clusters and keys but not create or delete them (403)', async () => {
    const cluster = await newCluster();
    const email = `viewer-${randomUUID().slice(0, 8)}@example.com`;
    await t.app.inject({ method: 'POST', url: '/v1/signup', payload: { email, password, organizationName: 'Own' } });
    expect((await t.app.inject({ method: 'POST', url: '/v1/organization/members', headers: a.auth, payload: { email, role: 'viewer' } })).statusCode).toBe(201);
    const login = await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email, password, organizationId: a.orgId } });
    const headers = { cookie: String(login.headers['set-cookie']).split(';')[0] };
    expectProblem(await createCluster(headers, { name: 'nope', plan: 'basic' }), 403, 'forbidden');
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/clusters/${cluster.id}`, headers }), 403, 'forbidden');
    expectProblem(await t.app.inject({ method: 'POST', url: `/v1/clusters/${cluster.id}/api-keys`, headers, payload: { description: 'x' } }), 403, 'forbidden');
    expect((await t.app.inject({ method: 'GET', url: `/v1/clusters/${cluster.id}`, headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/v1/clusters/${cluster.id}/api-keys`, headers })).statusCode).toBe(200);
  });

  it('creates, lists, gets and deletes cluster API keys; the broker config follows with a new version', async () => {
    const cluster = await newCluster();
    const token = secrets.brokerToken(cluster.id);
    const config = async () => {
      const res = await t.app.inject({ method: 'GET', url: `/internal/clusters/${cluster.id}/config`, headers: bearer(token) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { clusterId: string; version: number; credentials: { key: string; secretHash: string }[]; quotas: Record<string, number>; tiering: { prefix: string } };
    };
    const initial = await config();
    const admin = secrets.adminCredential(cluster.id);
    expect(initial.credentials).toHaveLength(1);
    expect(initial.credentials[0].key).toBe(admin.username);
    expect(verifies(initial.credentials[0].secretHash, admin.password)).toBe(true);
    expect(initial.quotas.maxPartitions).toBe(1_000);
    expect(initial.tiering.prefix).toBe(`clusters/${cluster.id}/`);

    const res = await t.app.inject({ method: 'POST', url: `/v1/clusters/${cluster.id}/api-keys`, headers: a.auth, payload: { description: 'producer' } });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ clusterId: cluster.id, description: 'producer', key: expect.stringMatching(/^FJ[0-9A-F]+$/), secret: expect.stringMatching(/^fjc_[A-Za-z0-9_-]{43}$/) });
    const withKey = await config();
    expect(withKey.version).toBeGreaterThan(initial.version);
    const entry = withKey.credentials.find((c) => c.key === created.key)!;
    expect(verifies(entry.secretHash, created.secret)).toBe(true);
    expect(JSON.stringify(withKey)).not.toContain(created.secret);

    const got = (await t.app.inject({ method: 'GET', url: `/v1/clusters/${cluster.id}/api-keys/${created.id}`, headers: a.auth })).json();
    expect(got).toEqual({ id: created.id, clusterId: cluster.id, key: created.key, description: 'producer', quota: {}, createdAt: created.createdAt });
    const list = (await t.app.inject({ method: 'GET', url: `/v1/clusters/${cluster.id}/api-keys`, headers: a.auth })).json();
    expect(list.items).toEqual([got]);

    expect((await t.app.inject({ method: 'DELETE', url: `/v1/clusters/${cluster.id}/api-keys/${created.id}`, headers: a.auth })).statusCode).toBe(204);
    const after = await config();
    expect(after.version).toBeGreaterThan(withKey.version);
    expect(after.credentials.map((c) => c.key)).toEqual([admin.username]);
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/clusters/${cluster.id}/api-keys/${created.id}`, headers: a.auth }), 404, 'not-found');
  });

  it("answers the broker config only for the cluster's own token (401)", async () => {
    const one = await newCluster();
    const two = await newCluster();
    const get = (id: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url: `/internal/clusters/${id}/config`, headers });
    expectProblem(await get(one.id, {}), 401, 'unauthorized');
    expectProblem(await get(one.id, bearer(secrets.brokerToken(two.id))), 401, 'unauthorized');
    expectProblem(await get(randomUUID(), bearer(secrets.brokerToken(one.id))), 401, 'unauthorized');
    expectProblem(await get(one.id, a.auth), 401, 'unauthorized');
  });

  it('gives the control plane a connection only to a RUNNING cluster', async () => {
    const cluster = await newCluster();
    await expect(t.app.services.clusters.connection(a.orgId, cluster.id)).rejects.toMatchObject({ definition: { code: 'FJ_CLUSTER_NOT_READY', status: 409 } });
    await t.db.prisma.cluster.update({ where: { id: cluster.id }, data: { status: 'RUNNING' } });
    expect(await t.app.services.clusters.connection(a.orgId, cluster.id)).toEqual({
      bootstrapServers: cluster.bootstrapServers,
      sasl: { mechanism: 'plain', ...secrets.adminCredential(cluster.id) },
      tls: { caPem: await t.app.services.brokerCertificates.authorityPem() },
    });
  });

  it("serves the installation's CA certificate as PEM to the cluster's organization only; its key is stored sealed", async () => {
    const one = await newCluster();
    const two = await newCluster();
    const get = (id: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url: `/v1/clusters/${id}/ca.pem`, headers });
    const res = await get(one.id, a.auth);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-pem-file/);
    const ca = new X509Certificate(res.body);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect((await get(two.id, a.auth)).body).toBe(res.body);
    expectProblem(await get(one.id, b.auth), 404, 'not-found');
    expectProblem(await get(randomUUID(), a.auth), 404, 'not-found');
    expectProblem(await get(one.id, {}), 401, 'unauthorized');

    const [stored] = await t.db.prisma.tlsAuthority.findMany();
    expect(stored.certPem).toBe(res.body);
    expect(stored.keyCiphertext).not.toContain('PRIVATE KEY');
    expect(secrets.unseal('tls-authority-key', stored.keyCiphertext)).toContain('BEGIN PRIVATE KEY');
    expect(() => new ClusterSecrets(randomBytes(32)).unseal('tls-authority-key', stored.keyCiphertext)).toThrow();
  });

  it('issues each broker a certificate for its host signed by the CA, kept until it nears expiry or the host changes', async () => {
    const cluster = await newCluster();
    const certificates = t.app.services.brokerCertificates;
    const ca = new X509Certificate(await certificates.authorityPem());
    const first = await certificates.forBroker(cluster.id, '127.0.0.1');
    const leaf = new X509Certificate(first.certPem);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(await certificates.forBroker(cluster.id, '127.0.0.1')).toEqual(first);
    expect(await certificates.stale(cluster.id, '127.0.0.1')).toBe(false);

    expect(await certificates.stale(cluster.id, 'kafka.example.com')).toBe(true);
    const moved = new X509Certificate((await certificates.forBroker(cluster.id, 'kafka.example.com')).certPem);
    expect(moved.checkHost('kafka.example.com')).toBe('kafka.example.com');
    expect(moved.serialNumber).not.toBe(leaf.serialNumber);

    const inElevenMonths = new Date(Date.now() + 340 * 86_400_000);
    expect(await certificates.stale(cluster.id, 'kafka.example.com', inElevenMonths)).toBe(true);
    const renewed = new X509Certificate((await certificates.forBroker(cluster.id, 'kafka.example.com', inElevenMonths)).certPem);
    expect(Date.parse(renewed.validTo)).toBeGreaterThan(Date.parse(moved.validTo));
    const row = await t.db.prisma.brokerCertificate.findUniqueOrThrow({ where: { clusterId: cluster.id } });
    expect(row.keyCiphertext).not.toContain('PRIVATE KEY');
  });

  it('deletes asynchronously: 202 DELETING, repeatable, and no new keys meanwhile (409)', async () => {
    const cluster = await newCluster();
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/clusters/${cluster.id}`, headers: a.auth });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().status).toBe('DELETING');
    const again = await t.app.inject({ method: 'DELETE', url: `/v1/clusters/${cluster.id}`, headers: a.auth });
    expect(again.statusCode).toBe(202);
    expectProblem(await t.app.inject({ method: 'POST', url: `/v1/clusters/${cluster.id}/api-keys`, headers: a.auth, payload: { description: 'late' } }), 409, 'cluster-not-ready');
    const events = (await t.app.inject({ method: 'GET', url: `/v1/clusters/${cluster.id}/events`, headers: a.auth })).json();
    expect(events.items.map((e: { type: string }) => e.type)).toEqual(['cluster.requested', 'cluster.delete-requested']);
  });
});
