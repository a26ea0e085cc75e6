import net from 'node:net';
import { Api } from '@fjord/kafka-protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCredential, startBroker, type TestBroker } from '../../../test/helpers/broker.ts';
import { until } from '../../../test/helpers/control-plane.ts';
import { testCertificates } from '../../../test/helpers/tls.ts';
import { AdminClient, AdminPool, KafkaConnection, KafkaConnectionError, KafkaError, partitionKey } from '../src/kafka/index.ts';

const KEY = 'FJADMINTEST01';
const SECRET = 'YWRtaW4tY2xpZW50LXRlc3Qtc2VjcmV0LXRoYXQtaXMtbG9uZw';
const sasl = { mechanism: 'plain' as const, username: KEY, password: SECRET };

/** Rejects with the error `promise` fails with (and fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

// Over TLS, as the control plane always reaches its clusters: the broker's certificate is signed by a
// test authority, and the admin client trusts that authority only.
describe('Kafka admin client against the broker', () => {
  let broker: TestBroker;
  let admin: AdminClient;
  let tls: { caPem: string };

  beforeAll(async () => {
    const certificates = await testCertificates();
    tls = { caPem: certificates.caPem };
    broker = await startBroker({ auth: 'sasl_plain', credentials: [makeCredential(KEY, SECRET)], config: { tls: certificates.broker } });
    admin = new AdminClient({ bootstrapServers: broker.address, sasl, tls });
  });
  afterAll(async () => {
    admin?.close();
    await broker?.stop();
  });

  it('creates, describes, alters and deletes a topic', async () => {
    await admin.createTopic({ name: 'orders', partitions: 2, replicationFactor: -1, configs: { 'retention.ms': '3600000' } });
    const { topics, brokers, controllerId } = await admin.metadata(['orders']);
    expect(brokers.get(controllerId)).toEqual({ host: broker.host, port: broker.port });
    expect(topics).toMatchObject([{ name: 'orders', internal: false, partitions: [{ partition: 0, leader: 0 }, { partition: 1, leader: 0 }] }]);

    const configs = (await admin.describeTopicConfigs(['orders'])).get('orders')!;
    expect(configs.get('retention.ms')).toMatchObject({ value: '3600000', isOverride: true });
    expect(configs.get('retention.bytes')).toMatchObject({ isOverride: false });

    await admin.alterTopicConfigs('orders', { 'retention.bytes': '1048576', 'retention.ms': null });
    const altered = (await admin.describeTopicConfigs(['orders'])).get('orders')!;
    expect(altered.get('retention.bytes')).toMatchObject({ value: '1048576', isOverride: true });
    expect(altered.get('retention.ms')).toMatchObject({ isOverride: false });

    await admin.createPartitions('orders', 5, { validateOnly: true });
    expect((await admin.metadata(['orders'])).topics[0].partitions).toHaveLength(2);
    await admin.createPartitions('orders', 5);
    expect((await admin.metadata(['orders'])).topics[0].partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4]);

    await admin.deleteTopic('orders');
    expect((await admin.metadata(null)).topics.map((t) => t.name)).not.toContain('orders');
  });

  it('reports offsets and log sizes after a kafkajs producer wrote to the topic', async () => {
    await admin.createTopic({ name: 'sized', partitions: 2, replicationFactor: 1, configs: {} });
    const kafka = new Kafka({ clientId: 'admin-test', brokers: [broker.address], sasl, ssl: { ca: [tls.caPem] }, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'sized', messages: Array.from({ length: 30 }, (_, i) => ({ partition: 1, value: `m-${i}` })) });
    await producer.disconnect();

    const { topics } = await admin.metadata(['sized']);
    const [offsets, sizes] = await Promise.all([admin.offsets(topics), admin.logSizes(topics)]);
    expect(offsets.get(partitionKey('sized', 0))).toEqual({ logStartOffset: 0n, localLogStartOffset: 0n, highWatermark: 0n });
    expect(offsets.get(partitionKey('sized', 1))).toEqual({ logStartOffset: 0n, localLogStartOffset: 0n, highWatermark: 30n });
    expect(sizes.get(partitionKey('sized', 0))).toBe(0n);
    expect(sizes.get(partitionKey('sized', 1))).toBeGreaterThan(30n * 3n);
  });

  it('turns Kafka error codes into KafkaErrors named from the error table', async () => {
    await admin.createTopic({ name: 'taken', partitions: 1, replicationFactor: -1, configs: {} });
    const cases: [() => Promise<unknown>, string][] = [
      [() => admin.createTopic({ name: 'taken', partitions: 1, replicationFactor: -1, configs: {} }), 'TOPIC_ALREADY_EXISTS'],
      [() => admin.createTopic({ name: 'bad name!', partitions: 1, replicationFactor: -1, configs: {} }), 'INVALID_TOPIC_EXCEPTION'],
      [() => admin.createTopic({ name: 'zero', partitions: 0, replicationFactor: -1, configs: {} }), 'INVALID_PARTITIONS'],
      [() => admin.createTopic({ name: 'rf', partitions: 1, replicationFactor: 3, configs: {} }), 'INVALID_REPLICATION_FACTOR'],
      [() => admin.createTopic({ name: 'cfg', partitions: 1, replicationFactor: -1, configs: { 'retention.ms': 'soon' } }), 'INVALID_CONFIG'],
      [() => admin.createPartitions('taken', 1), 'INVALID_PARTITIONS'],
      [() => admin.alterTopicConfigs('taken', { 'no.such.config': '1' }), 'INVALID_CONFIG'],
      [() => admin.metadata(['missing']), 'UNKNOWN_TOPIC_OR_PARTITION'],
      [() => admin.deleteTopic('missing'), 'UNKNOWN_TOPIC_OR_PARTITION'],
      [() => admin.describeTopicConfigs(['missing']), 'UNKNOWN_TOPIC_OR_PARTITION'],
    ];
    for (const [call, type] of cases) {
      const err = await failure(call());
      expect(err, type).toBeInstanceOf(KafkaError);
      expect((err as KafkaError).type).toBe(type);
    }
    expect((await admin.metadata(null)).topics.map((t) => t.name)).not.toContain('cfg');
  });

  it('refuses a broker whose certificate another authority signed, and a plaintext connection to the TLS listener', async () => {
    const stranger = new AdminClient({ bootstrapServers: broker.address, sasl, tls: { caPem: (await testCertificates()).caPem } });
    const err = await failure(stranger.metadata(null));
    expect(err).toBeInstanceOf(KafkaConnectionError);
    expect(err.message).toMatch(/certificate/);
    stranger.close();
    const plaintext = new AdminClient({ bootstrapServers: broker.address, sasl, tls: null, requestTimeoutMs: 2_000 });
    expect(await failure(plaintext.metadata(null))).toBeInstanceOf(KafkaConnectionError);
    plaintext.close();
    expect((await admin.metadata(null)).brokers.size).toBe(1);
  });

  it('refuses a wrong SASL password with SASL_AUTHENTICATION_FAILED and leaves no connection behind', async () => {
    const wrong = new AdminClient({ bootstrapServers: broker.address, sasl: { ...sasl, password: 'wrong' }, tls });
    const err = await failure(wrong.metadata(null));
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).type).toBe('SASL_AUTHENTICATION_FAILED');
    const none = new AdminClient({ bootstrapServers: broker.address, sasl: null, tls });
    expect(await failure(none.metadata(null))).toBeInstanceOf(KafkaConnectionError);
    wrong.close();
    none.close();
  });

  it('pipelines concurrent requests on one connection and matches each answer to its request', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `pipelined-${i}`);
    await Promise.all(names.map((name, i) => admin.createTopic({ name, partitions: 1 + (i % 4), replicationFactor: -1, configs: {} })));
    const connection = await KafkaConnection.open({ host: broker.host, port: broker.port, sasl, tls });
    const answers = await Promise.all(names.map((name) => connection.send(Api.Metadata, { topics: [{ name }], allowAutoTopicCreation: false })));
    answers.forEach((answer, i) => {
      expect(answer.topics.map((t) => [t.name, t.partitions.length])).toEqual([[names[i], 1 + (i % 4)]]);
    });
    expect(connection.versionOf(Api.Metadata)).toBe(Api.Metadata.maxVersion);
    connection.close();
    expect(await failure(connection.send(Api.Metadata, { topics: null }))).toBeInstanceOf(KafkaConnectionError);
  });

  it('reuses one admin client per cluster, replaces it when credentials change and closes it when idle', async () => {
    const pool = new AdminPool({ idleMs: 200 });
    const target = { bootstrapServers: broker.address, sasl, tls };
    const seen = new Set<AdminClient>();
    await pool.use('c1', target, async (a) => void seen.add(a).add(a));
    await pool.use('c1', target, async (a) => {
      seen.add(a);
      await a.metadata(null);
    });
    expect(seen.size).toBe(1);
    const err = await failure(pool.use('c1', { ...target, sasl: { ...sasl, password: 'rotated' } }, (a) => a.metadata(null)));
    expect((err as KafkaError).type).toBe('SASL_AUTHENTICATION_FAILED');
    expect(pool.size).toBe(1);
    await until('the idle admin client to close', () => (pool.size === 0 ? true : undefined), 10_000, 50);
    pool.close();
  });
});

describe('Kafka admin client without a broker', () => {
  it('reports an unreachable broker as KafkaConnectionError (unreachable)', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const admin = new AdminClient({ bootstrapServers: `127.0.0.1:${port}`, sasl: null, tls: null });
    const err = await failure(admin.metadata(null));
    expect(err).toBeInstanceOf(KafkaConnectionError);
    expect((err as KafkaConnectionError).reason).toBe('unreachable');
    admin.close();
  });

  it('gives up on a silent peer after the request timeout (KafkaConnectionError, timeout)', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const err = await failure(KafkaConnection.open({ host: '127.0.0.1', port, requestTimeoutMs: 200 }));
    expect(err).toBeInstanceOf(KafkaConnectionError);
    expect((err as KafkaConnectionError).reason).toBe('timeout');
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
