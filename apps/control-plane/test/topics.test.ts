import { randomUUID } from 'node:crypto';
import { plans } from '@fjord/api';
import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, password, signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const [pglite] = await testBackends();

// The HTTP side of /v1/clusters/:id/topics: what is refused before any broker is asked. The calls to the
// cluster itself are covered by topics-service.test.ts (a real broker) and test/e2e/topics.test.ts.
describe('topic routes', () => {
  let t: TestApp;
  let owner: SignedUp;
  let clusterId: string;
  beforeAll(async () => {
    t = await startTestApp(pglite);
    owner = await signup(t.app, 'TopicRoutes');
    const res = await t.app.inject({ method: 'POST', url: '/v1/clusters', headers: owner.auth, payload: { name: 'routes', plan: 'basic' } });
    expect(res.statusCode, res.body).toBe(202);
    clusterId = res.json().id;
  });
  afterAll(() => t?.close());

  const create = (payload: unknown, headers = owner.auth, id = clusterId) =>
    t.app.inject({ method: 'POST', url: `/v1/clusters/${id}/topics`, headers, payload: payload as object });

  it('refuses names and configs outside Kafka rules with 400 naming each field', async () => {
    const cases: [unknown, string[]][] = [
      [{ name: 'has space', partitions: 1 }, ['name']],
      [{ name: '..', partitions: 1 }, ['name']],
      [{ name: 'x'.repeat(250), partitions: 1 }, ['name']],
      [{ name: 'ok', partitions: 0 }, ['partitions']],
      [{ name: 'ok', partitions: 1, replicationFactor: 0 }, ['replicationFactor']],
      [{ name: 'ok', partitions: 1, configs: { 'retention.ms': 'soon' } }, ['configs.retention.ms']],
      [{ name: 'ok', partitions: 1, configs: { 'retention.ms': -2 } }, ['configs.retention.ms']],
      [{ name: 'ok', partitions: 1, configs: { 'cleanup.policy': 'forever' } }, ['configs.cleanup.policy']],
      [{ name: 'ok', partitions: 1, configs: { 'max.message.bytes': '4294967296' } }, ['configs.max.message.bytes']],
      [{ name: 'ok', partitions: 1, configs: { 'log.dirs': '/tmp' } }, ['configs.log.dirs']],
      [{ name: 'ok', partitions: 1, owner: 'me' }, ['owner']],
    ];
    for (const [payload, fields] of cases) {
      const body = expectProblem(await create(payload), 400, 'validation');
      expect(body.errors?.map((e) => e.field), JSON.stringify(payload)).toEqual(fields);
    }
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/v1/clusters/${clusterId}/topics/orders`,
      headers: owner.auth,
      payload: { configs: { 'segment.ms': 0 } },
    });
    expect(expectProblem(patch, 400, 'validation').errors?.map((e) => e.field)).toEqual(['configs.segment.ms']);
    expectProblem(await t.app.inject({ method: 'PATCH', url: `/v1/clusters/${clusterId}/topics/orders`, headers: owner.auth, payload: {} }), 400, 'validation');
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/clusters/${clusterId}/topics/bad%20name`, headers: owner.auth }), 400, 'validation');
    const messages = await t.app.inject({ method: 'GET', url: `/v1/clusters/${clusterId}/topics/orders/messages?partition=-1&limit=101`, headers: owner.auth });
    expect(expectProblem(messages, 400, 'validation').errors?.map((e) => e.field).sort()).toEqual(['query.limit', 'query.partition']);
  });

  it("answers 404 for an unknown cluster or another organization's, whatever the topic", async () => {
    const other = await signup(t.app, 'Other');
    for (const [method, url, payload] of [
      ['GET', `/v1/clusters/${clusterId}/topics`],
      ['GET', `/v1/clusters/${clusterId}/topics/orders`],
      ['POST', `/v1/clusters/${clusterId}/topics`, { name: 'orders', partitions: 1 }],
      ['PATCH', `/v1/clusters/${clusterId}/topics/orders`, { partitions: 2 }],
      ['DELETE', `/v1/clusters/${clusterId}/topics/orders`],
      ['GET', `/v1/clusters/${clusterId}/topics/orders/messages`],
    ] as const) {
      expectProblem(await t.app.inject({ method, url, headers: other.auth, ...(payload ? { payload } : {}) }), 404, 'not-found');
    }
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/clusters/${randomUUID()}/topics`, headers: owner.auth }), 404, 'not-found');
  });

  it("refuses retention and message sizes beyond the cluster's quotas with quota-exceeded naming the limit, before the cluster is asked", async () => {
    const { maxRetentionMs, maxMessageBytes } = plans.basic.limits;
    const body = expectProblem(await create({ name: 'orders', partitions: 1, configs: { 'retention.ms': maxRetentionMs + 1, 'max.message.bytes': maxMessageBytes + 1 } }), 403, 'quota-exceeded');
    expect(body.errors?.map((e) => e.field)).toEqual(['configs.retention.ms', 'configs.max.message.bytes']);
    expect(body.detail).toContain(`maxRetentionMs of ${maxRetentionMs}`);
    expect(body.detail).toContain(`maxMessageBytes of ${maxMessageBytes}`);
    const patch = await t.app.inject({ method: 'PATCH', url: `/v1/clusters/${clusterId}/topics/orders`, headers: owner.auth, payload: { configs: { 'retention.ms': -1 } } });
    expect(expectProblem(patch, 403, 'quota-exceeded').errors?.map((e) => e.field)).toEqual(['configs.retention.ms']);
    // Within the quotas, the cluster is asked (and is not running yet).
    expectProblem(await create({ name: 'orders', partitions: 1, configs: { 'retention.ms': maxRetentionMs } }), 409, 'cluster-not-ready');
  });

  it('answers 409 cluster-not-ready while the cluster is provisioning', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/clusters/${clusterId}/topics`, headers: owner.auth }), 409, 'cluster-not-ready');
    expectProblem(await create({ name: 'orders', partitions: 1 }), 409, 'cluster-not-ready');
  });

  it('lets a viewer read but not change topics (403 before the cluster is asked)', async () => {
    const email = `viewer-${randomUUID().slice(0, 8)}@example.com`;
    await t.app.inject({ method: 'POST', url: '/v1/signup', payload: { email, password, organizationName: 'Own' } });
    const added = await t.app.inject({ method: 'POST', url: '/v1/organization/members', headers: owner.auth, payload: { email, role: 'viewer' } });
    expect(added.statusCode, added.body).toBe(201);
    const login = await t.app.inject({ method: 'POST', url: '/v1/login', payload: { email, password, organizationId: owner.orgId } });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    expectProblem(await create({ name: 'orders', partitions: 1 }, { cookie }), 403, 'forbidden');
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/clusters/${clusterId}/topics/orders`, headers: { cookie } }), 403, 'forbidden');
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/clusters/${clusterId}/topics`, headers: { cookie } }), 409, 'cluster-not-ready');
  });

  it('requires credentials', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: `/v1/clusters/${clusterId}/topics` }), 401, 'unauthorized');
  });
});
