import { randomUUID } from 'node:crypto';
import { testBackends } from '@fjord/db/testing';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { plans } from '@fjord/api';
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
const KEY = 'FJMESSAGES01';
const SECRET = 'bWVzc2FnZS1icm93c2VyLXRlc3Qtc2VjcmV0LWxvbmctZW5vdWdo';

// The message browser's read: the latest records of a partition, fetched from a real broker over
// SASL_SSL by the control plane's own Kafka client, after kafkajs produced them.
describe('topic messages', () => {
  let t: TestApp;
  let broker: TestBroker;
  let pool: AdminPool;
  let topics: ReturnType<typeof topicsService>;
  let ctx: AuthContext;
  const clusterId = randomUUID();

  beforeAll(async () => {
    const certificates = await testCertificates();
    [t, broker] = await Promise.all([
      startTestApp(pglite),
      startBroker({ auth: 'sasl_plain', credentials: [makeCredential(KEY, SECRET)], config: { tls: certificates.broker } }),
    ]);
    const owner = await signup(t.app, 'Messages');
    ctx = { actor: { type: 'user', id: owner.userId, label: owner.email }, orgId: owner.orgId, orgName: 'Messages', role: 'viewer', requestId: 'req-1' };
    pool = new AdminPool();
    topics = topicsService({
      clusters: {
        async connection(orgId, id) {
          if (orgId !== owner.orgId || id !== clusterId) throw notFound('cluster', id);
          return { bootstrapServers: broker.address, sasl: { mechanism: 'plain', username: KEY, password: SECRET }, tls: { caPem: certificates.caPem } };
        },
      },
      // Reading messages asks no quota; creating the topic checks the plan's.
      quotas: { effective: async () => plans.basic.limits },
      kafka: pool,
      repos: createRepositories(t.db.prisma),
    });
    await topics.create({ ...ctx, role: 'admin' }, clusterId, { name: 'orders', partitions: 2 });
    const kafka = new Kafka({
      brokers: [broker.address],
      ssl: { ca: [certificates.caPem] },
      sasl: { mechanism: 'plain', username: KEY, password: SECRET },
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    // Several batches, one of them compressed, so the read spans batches and decompresses.
    await producer.send({ topic: 'orders', messages: Array.from({ length: 30 }, (_, i) => ({ partition: 0, key: `k${i}`, value: `order-${i}`, timestamp: String(1_700_000_000_000 + i) })) });
    await producer.send({
      topic: 'orders',
      compression: CompressionTypes.GZIP,
      messages: [
        { partition: 0, key: null, value: Buffer.from([0xff, 0x00, 0xfe]), headers: { source: 'web', trace: Buffer.from([0xc3]) }, timestamp: '1700000000100' },
        { partition: 0, key: 'last', value: null, timestamp: '1700000000101' },
      ],
    });
    await producer.disconnect();
  });
  afterAll(async () => {
    pool?.close();
    await Promise.all([broker?.stop(), t?.close()]);
  });

  it('answers the latest records of a partition, oldest first, with keys, values, headers and timestamps', async () => {
    const read = await topics.messages(ctx, clusterId, 'orders', { partition: 0, limit: 5 });
    expect(read).toMatchObject({ topic: 'orders', partition: 0, logStartOffset: 0, highWatermark: 32 });
    expect(read.items.map((m) => m.offset)).toEqual([27, 28, 29, 30, 31]);
    expect(read.items[0]).toEqual({
      partition: 0,
      offset: 27,
      timestamp: new Date(1_700_000_000_027).toISOString(),
      timestampType: 'CreateTime',
      key: { encoding: 'utf8', data: 'k27' },
      value: { encoding: 'utf8', data: 'order-27' },
      headers: [],
    });
    expect(read.items[3]).toMatchObject({
      key: null,
      value: { encoding: 'base64', data: Buffer.from([0xff, 0x00, 0xfe]).toString('base64') },
      headers: [
        { key: 'source', value: { encoding: 'utf8', data: 'web' } },
        { key: 'trace', value: { encoding: 'base64', data: 'ww==' } },
      ],
    });
    expect(read.items[4]).toMatchObject({ key: { encoding: 'utf8', data: 'last' }, value: null });
  });

  it('answers every record when there are fewer than asked, and none for an empty partition', async () => {
    const all = await topics.messages(ctx, clusterId, 'orders', { partition: 0, limit: 100 });
    expect(all.items.map((m) => m.offset)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(await topics.messages(ctx, clusterId, 'orders', { partition: 1, limit: 20 })).toEqual({ topic: 'orders', partition: 1, logStartOffset: 0, highWatermark: 0, items: [] });
  });

  it('refuses a partition the topic does not have (naming the field), an unknown topic and another organization', async () => {
    const refused = await topics.messages(ctx, clusterId, 'orders', { partition: 2, limit: 20 }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiProblem);
    expect((refused as ApiProblem).definition.code).toBe('FJ_VALIDATION');
    expect((refused as ApiProblem).errors?.map((e) => e.field)).toEqual(['query.partition']);
    const unknown = (await topics.messages(ctx, clusterId, 'nope', { partition: 0, limit: 20 }).catch((err: unknown) => err)) as ApiProblem;
    expect(unknown.definition.code).toBe('FJ_NOT_FOUND');
    const other = (await topics.messages({ ...ctx, orgId: randomUUID() }, clusterId, 'orders', { partition: 0, limit: 20 }).catch((err: unknown) => err)) as ApiProblem;
    expect(other.definition.code).toBe('FJ_NOT_FOUND');
  });
});
