import { randomUUID } from 'node:crypto';
import { plans, type PlanLimits } from '@fjord/api';
import { testBackends } from '@fjord/db/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCredential, startBroker, type TestBroker } from '../../../test/helpers/broker.ts';
import { testCertificates } from '../../../test/helpers/tls.ts';
import type { AuthContext } from '../src/auth-context.ts';
import { createRepositories } from '../src/data-access.ts';
import { ApiProblem, notFound } from '../src/errors.ts';
import { AdminPool } from '../src/kafka/index.ts';
import { topicsService } from '../src/modules/topics/topics.service.ts';
import { signup, startTestApp, type TestApp } from './helpers.ts';

const [pglite] = await testBackends();
const KEY = 'FJTOPICSSVC01';
const SECRET = 'dG9waWNzLXNlcnZpY2UtdGVzdC1zZWNyZXQtbG9uZy1lbm91Z2g';

/** The problem a call fails with, as `{code, fields}`. */
async function problemOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof ApiProblem)) throw err;
    return { code: err.definition.code, fields: err.errors?.map((e) => e.field) ?? [] };
  }
  throw new Error('expected a problem');
}

// The topics service on a real broker and a real database. Which cluster belongs to which organization
// is the clusters module's answer; here one organization owns the one cluster this test started.
describe('topics service', () => {
  let t: TestApp;
  let broker: TestBroker;
  let pool: AdminPool;
  let topics: ReturnType<typeof topicsService>;
  let ctx: AuthContext;
  const clusterId = randomUUID();
  // The cluster's quotas as the clusters module would answer them; a test lowers them to meet a limit.
  let quotas: PlanLimits = { ...plans.standard.limits };
  const quotaSource = { effective: async () => quotas };
  const sasl = { mechanism: 'plain' as const, username: KEY, password: SECRET };

  let caPem: string;

  beforeAll(async () => {
    const certificates = await testCertificates();
    caPem = certificates.caPem;
    [t, broker] = await Promise.all([
      startTestApp(pglite),
      startBroker({ auth: 'sasl_plain', credentials: [makeCredential(KEY, SECRET)], config: { tls: certificates.broker } }),
    ]);
    const owner = await signup(t.app, 'Topics');
    ctx = { actor: { type: 'user', id: owner.userId, label: owner.email }, orgId: owner.orgId, orgName: 'Topics', role: 'admin', requestId: 'req-1' };
    pool = new AdminPool();
    topics = topicsService({
      clusters: {
        async connection(orgId, id) {
          if (orgId !== owner.orgId || id !== clusterId) throw notFound('cluster', id);
          return { bootstrapServers: broker.address, sasl, tls: { caPem } };
        },
      },
      quotas: quotaSource,
      kafka: pool,
      repos: createRepositories(t.db.prisma),
    });
  });
  afterAll(async () => {
    pool?.close();
    await Promise.all([broker?.stop(), t?.close()]);
  });

  it('creates a topic, shows offsets and sizes after producing, and audits the change', async () => {
    const created = await topics.create(ctx, clusterId, { name: 'payments', partitions: 2, configs: { 'retention.ms': '86400000' } });
    expect(created).toEqual({
      name: 'payments',
      replicationFactor: 1,
      partitions: [0, 1].map((partition) => ({ partition, logStartOffset: 0, localLogStartOffset: 0, highWatermark: 0, localBytes: 0, remoteBytes: 0 })),
      configs: { 'retention.ms': '86400000' },
    });
    const kafka = new Kafka({ clientId: 'topics-svc', brokers: [broker.address], sasl, ssl: { ca: [caPem] }, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'payments', messages: Array.from({ length: 12 }, (_, i) => ({ partition: 0, value: `p-${i}` })) });
    await producer.disconnect();

    const got = await topics.get(ctx, clusterId, 'payments');
    expect(got.partitions[0]).toMatchObject({ partition: 0, logStartOffset: 0, highWatermark: 12, remoteBytes: 0 });
    expect(got.partitions[0].localBytes).toBeGreaterThan(12 * 3);
    expect(got.partitions[1]).toMatchObject({ highWatermark: 0, localBytes: 0 });

    const events = await t.db.prisma.auditEvent.findMany({ where: { orgId: ctx.orgId, resourceType: 'topic' } });
    expect(events.map((e) => [e.action, e.resourceId])).toContainEqual(['topic.create', `${clusterId}/payments`]);
  });

  it('lists topics made by any Kafka client, in name order, page by page', async () => {
    const kafka = new Kafka({ clientId: 'topics-svc', brokers: [broker.address], sasl, ssl: { ca: [caPem] }, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: ['list-c', 'list-a', 'list-b'].map((topic) => ({ topic, numPartitions: 1 })) });
    await admin.disconnect();

    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await topics.list(ctx, clusterId, { limit: 2, cursor });
      names.push(...page.items.map((i) => i.name));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['list-a', 'list-b', 'list-c']));
    expect(pages).toBe(Math.ceil(names.length / 2));
  });

  it('raises partitions and changes configs; a refused config changes nothing', async () => {
    await topics.create(ctx, clusterId, { name: 'grow', partitions: 1 });
    const grown = await topics.update(ctx, clusterId, 'grow', { partitions: 3, configs: { 'retention.ms': '60000' } });
    expect(grown.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(grown.configs).toEqual({ 'retention.ms': '60000' });

    // segment.bytes passes Kafka's bound (14) but not this cluster's; the partition increase must not happen either.
    expect(await problemOf(topics.update(ctx, clusterId, 'grow', { partitions: 5, configs: { 'segment.bytes': '100' } }))).toEqual({
      code: 'FJ_VALIDATION',
      fields: ['configs.segment.bytes'],
    });
    expect((await topics.get(ctx, clusterId, 'grow')).partitions).toHaveLength(3);

    // Valid configs with a refused partition count: the configs stay as they were.
    expect(await problemOf(topics.update(ctx, clusterId, 'grow', { partitions: 2, configs: { 'retention.ms': '1234' } }))).toEqual({
      code: 'FJ_VALIDATION',
      fields: ['partitions'],
    });
    expect((await topics.get(ctx, clusterId, 'grow')).configs).toEqual({ 'retention.ms': '60000' });

    const reset = await topics.update(ctx, clusterId, 'grow', { partitions: 3, configs: { 'retention.ms': null } });
    expect(reset.configs).toEqual({});
  });

  it('answers Kafka refusals as problems naming the field', async () => {
    await topics.create(ctx, clusterId, { name: 'dup', partitions: 1 });
    expect(await problemOf(topics.create(ctx, clusterId, { name: 'dup', partitions: 1 }))).toEqual({ code: 'FJ_CONFLICT', fields: [] });
    expect(await problemOf(topics.create(ctx, clusterId, { name: 'rf', partitions: 1, replicationFactor: 3 }))).toEqual({
      code: 'FJ_VALIDATION',
      fields: ['replicationFactor'],
    });
    expect(await problemOf(topics.get(ctx, clusterId, 'nope'))).toEqual({ code: 'FJ_NOT_FOUND', fields: [] });
    expect(await problemOf(topics.update(ctx, clusterId, 'nope', { partitions: 2 }))).toEqual({ code: 'FJ_NOT_FOUND', fields: [] });
    expect(await problemOf(topics.delete(ctx, clusterId, 'nope'))).toEqual({ code: 'FJ_NOT_FOUND', fields: [] });
    expect(await problemOf(topics.get({ ...ctx, orgId: randomUUID() }, clusterId, 'dup'))).toEqual({ code: 'FJ_NOT_FOUND', fields: [] });
    expect(await problemOf(topics.create({ ...ctx, role: 'viewer' }, clusterId, { name: 'v', partitions: 1 }))).toEqual({ code: 'FJ_FORBIDDEN', fields: [] });

    await topics.delete(ctx, clusterId, 'dup');
    expect(await problemOf(topics.get(ctx, clusterId, 'dup'))).toEqual({ code: 'FJ_NOT_FOUND', fields: [] });
  });

  it("refuses partitions beyond the cluster's limit, retention and message sizes beyond its quotas, naming the limit", async () => {
    const refusal = async (call: Promise<unknown>) => {
      try {
        await call;
      } catch (err) {
        if (err instanceof ApiProblem) return { code: err.definition.code, detail: err.message, fields: err.errors?.map((e) => e.field) ?? [] };
        throw err;
      }
      throw new Error('expected a problem');
    };
    const all = await topics.list(ctx, clusterId, { limit: 100 });
    const inUse = all.items.reduce((n, topic) => n + topic.partitions.length, 0);
    // The broker's own limit is far higher: the refusal is the control plane's, before any CreateTopics.
    quotas = { ...plans.standard.limits, maxPartitions: inUse + 3, maxRetentionMs: 3_600_000, maxMessageBytes: 1_048_576 };
    try {
      expect(await refusal(topics.create(ctx, clusterId, { name: 'too-wide', partitions: 4 }))).toEqual({
        code: 'FJ_QUOTA_EXCEEDED',
        detail: `4 more partitions would exceed the cluster's partition limit maxPartitions of ${inUse + 3} (${inUse} in use)`,
        fields: ['partitions'],
      });
      await topics.create(ctx, clusterId, { name: 'fits', partitions: 2 });
      expect(await refusal(topics.update(ctx, clusterId, 'fits', { partitions: 4 }))).toMatchObject({ code: 'FJ_QUOTA_EXCEEDED', fields: ['partitions'] });
      expect((await topics.update(ctx, clusterId, 'fits', { partitions: 3 })).partitions).toHaveLength(3);

      const retention = await refusal(topics.create(ctx, clusterId, { name: 'forever', partitions: 1, configs: { 'retention.ms': '-1' } }));
      expect(retention).toEqual({ code: 'FJ_QUOTA_EXCEEDED', detail: "retention.ms -1 is above the cluster's maxRetentionMs of 3600000", fields: ['configs.retention.ms'] });
      const large = await refusal(topics.update(ctx, clusterId, 'fits', { configs: { 'max.message.bytes': '2000000', 'retention.ms': '3600001' } }));
      expect(large).toMatchObject({ code: 'FJ_QUOTA_EXCEEDED', fields: ['configs.retention.ms', 'configs.max.message.bytes'] });
      expect(large.detail).toContain("max.message.bytes 2000000 is above the cluster's maxMessageBytes of 1048576");
      expect((await topics.get(ctx, clusterId, 'fits')).configs).toEqual({});
      const within = await topics.update(ctx, clusterId, 'fits', { configs: { 'max.message.bytes': '1048576', 'retention.ms': '3600000' } });
      expect(within.configs).toEqual({ 'max.message.bytes': '1048576', 'retention.ms': '3600000' });
      expect((await topics.list(ctx, clusterId, { limit: 100 })).items.map((topic) => topic.name)).not.toContain('too-wide');
    } finally {
      quotas = { ...plans.standard.limits };
    }
  });

  it('answers 503 cluster-unavailable when the brokers cannot be reached', async () => {
    const down = topicsService({
      clusters: { connection: async () => ({ bootstrapServers: '127.0.0.1:1', sasl, tls: { caPem } }) },
      quotas: quotaSource,
      kafka: pool,
      repos: createRepositories(t.db.prisma),
    });
    expect(await problemOf(down.list(ctx, randomUUID(), { limit: 20 }))).toEqual({ code: 'FJ_CLUSTER_UNAVAILABLE', fields: [] });
  });
});
