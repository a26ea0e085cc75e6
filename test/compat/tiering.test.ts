import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFauxqs } from 'fauxqs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '@fjord/kafka-protocol';
import { createObjectStore, type ObjectStore } from '@fjord/object-store';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/control-plane.ts';
import { runKcat } from '../helpers/kcat.ts';
import { RawKafkaClient } from '../helpers/raw-kafka-client.ts';
import { CLUSTER_PREFIX, listAll, localSegments, numberedLines, partitionPrefix, remoteLogBytes } from '../helpers/tiering.ts';

const MB = 1024 * 1024;
/** 10 MB of values: 10,240 lines of 1 KiB. */
const LINES = numberedLines(10_240);

interface Backend {
  /** The broker's `tiering.objectStore`. */
  brokerStore: Record<string, unknown>;
  /** The same store, as the test inspects it. */
  store: ObjectStore;
  stop(): Promise<void>;
}

async function fsBackend(): Promise<Backend> {
  const root = await mkdtemp(path.join(tmpdir(), 'fjord-tiered-'));
  return {
    brokerStore: { kind: 'fs', root },
    store: createObjectStore({ kind: 'fs', root }),
    stop: () => rm(root, { recursive: true, force: true }),
  };
}

async function s3Backend(): Promise<Backend> {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  server.createBucket('fjord-tiered');
  const endpoint = `http://127.0.0.1:${server.port}`;
  // The broker takes S3 credentials from the SDK's chain, as on ECS; here from its environment.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  const store = createObjectStore({
    kind: 's3',
    bucket: 'fjord-tiered',
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    brokerStore: { kind: 's3', bucket: 'fjord-tiered', region: 'us-east-1', endpoint, forcePathStyle: true },
    store,
    stop: async () => {
      await store.close();
      await server.stop();
    },
  };
}

describe.each([
  ['the filesystem store', fsBackend],
  ['the S3 store (fauxqs over HTTP)', s3Backend],
])('tiered storage through %s', (_name, start) => {
  let backend: Backend;
  let broker: TestBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    backend = await start();
    broker = await startBroker({
      config: {
        tiering: {
          objectStore: backend.brokerStore,
          policy: { enabled: true, localRetentionMs: 86_400_000, prefix: CLUSTER_PREFIX },
          intervalMs: 200,
          retryMs: 200,
        },
      },
    });
    kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await broker?.stop();
    await backend?.stop();
  });

  it('moves 10 MB to object storage and a consumer from offset 0 reads every record once, in order', async () => {
    const topic = 'cold';
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: [
              { name: 'segment.bytes', value: '1048576' },
              { name: 'local.retention.bytes', value: '1048576' },
            ],
          },
        ],
      });
      const described = await admin.describeConfigs({
        resources: [{ type: 2, name: topic, configNames: ['remote.storage.enable', 'local.retention.bytes'] }],
        includeSynonyms: false,
      });
      expect(Object.fromEntries(described.resources[0].configEntries.map((e) => [e.configName, e.configValue]))).toEqual({
        'remote.storage.enable': 'true',
        'local.retention.bytes': '1048576',
      });
    } finally {
      await admin.disconnect();
    }

    const produced = await runKcat(['-b', broker.address, '-P', '-t', topic, '-p', '0', '-X', 'acks=all'], `${LINES.join('\n')}\n`, 60_000);
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);

    const partitionDir = path.join(broker.dataDir, `${topic}-0`);
    const prefix = await partitionPrefix(broker, topic, 0);
    const sizes = await until(
      'remote > 4 MB and local < 4 MB',
      async () => {
        const remote = await remoteLogBytes(backend.store, prefix);
        const local = (await localSegments(partitionDir)).bytes;
        return remote > 4 * MB && local < 4 * MB ? { remote, local } : undefined;
      },
      60_000,
    );
    expect(sizes.remote).toBeGreaterThan(4 * MB);
    expect(sizes.local).toBeLessThan(4 * MB);
    const keys = await listAll(backend.store, prefix);
    expect(keys.filter((key) => key.endsWith('.manifest.json')).length).toBeGreaterThanOrEqual(5);
    expect(keys).toContain(`${prefix}00000000000000000000.log`);

    const consumed = await runKcat(['-b', broker.address, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q'], undefined, 60_000);
    expect(consumed.code).toBe(0);
    const received = consumed.stdout.split('\n').filter((line) => line.length > 0);
    expect(received.length).toBe(LINES.length);
    expect(received).toEqual(LINES);

    // ListOffsets -4 (earliest local) answers the first local offset and -5 (latest tiered) the last remote
    // one (KIP-405, KIP-1005); tiering may move both on, so they are read together, and checked against each other.
    const raw = await RawKafkaClient.connect(broker.port);
    try {
      const ask = async (timestamp: bigint) => {
        const response = await raw.request(Api.ListOffsets, 7, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }],
        });
        return response.topics[0].partitions[0];
      };
      const tiered = await until('tiering to settle', async () => {
        const [local, lastTiered, again] = [await ask(-4n), await ask(-5n), await ask(-4n)];
        return local.offset === again.offset ? { local, lastTiered } : undefined;
      });
      expect(tiered.local.errorCode).toBe(0);
      expect(tiered.lastTiered.errorCode).toBe(0);
      expect(tiered.local.offset).toBeGreaterThan(0n);
      expect(tiered.local.offset).toBeLessThan(BigInt(LINES.length));
      expect(tiered.lastTiered.offset).toBeGreaterThanOrEqual(tiered.local.offset - 1n);
      expect(tiered.lastTiered.offset).toBeLessThan(BigInt(LINES.length));
    } finally {
      raw.socket.destroy();
    }

    // ListOffsets earliest answers the remote log start.
    const offsetsAdmin = kafka.admin();
    await offsetsAdmin.connect();
    try {
      const offsets = await offsetsAdmin.fetchTopicOffsets(topic);
      expect(offsets[0]).toMatchObject({ low: '0', high: String(LINES.length) });
      await offsetsAdmin.deleteTopics({ topics: [topic] });
    } finally {
      await offsetsAdmin.disconnect();
    }
    await until('the topic prefix is empty', async () => ((await listAll(backend.store, `${CLUSTER_PREFIX}${topic}/`)).length === 0 ? true : undefined), 10_000);
  });

  it('refuses tiering configs Kafka refuses, with INVALID_CONFIG', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const create = (configEntries: { name: string; value: string }[]) =>
        admin.createTopics({ topics: [{ topic: 'refused', numPartitions: 1, configEntries }] });
      await expect(create([{ name: 'retention.bytes', value: '1000000' }, { name: 'local.retention.bytes', value: '2000000' }])).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })],
      });
      await expect(create([{ name: 'retention.ms', value: '60000' }, { name: 'local.retention.ms', value: '-1' }])).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })],
      });
      await expect(create([{ name: 'cleanup.policy', value: 'compact' }])).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })],
      });
      await expect(create([{ name: 'local.retention.bytes', value: '-3' }])).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })],
      });
      // Compacted topics are fine once remote storage is off for them.
      await create([{ name: 'cleanup.policy', value: 'compact' }, { name: 'remote.storage.enable', value: 'false' }]);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('a broker without an object store', () => {
  it('refuses remote.storage.enable=true with INVALID_CONFIG and defaults it to false', async () => {
    const broker = await startBroker();
    const admin = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await expect(
        admin.createTopics({ topics: [{ topic: 't', numPartitions: 1, configEntries: [{ name: 'remote.storage.enable', value: 'true' }] }] }),
      ).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })] });
      await admin.createTopics({ topics: [{ topic: 't', numPartitions: 1 }] });
      const described = await admin.describeConfigs({ resources: [{ type: 2, name: 't', configNames: ['remote.storage.enable'] }], includeSynonyms: false });
      expect(described.resources[0].configEntries[0]).toMatchObject({ configName: 'remote.storage.enable', configValue: 'false' });
    } finally {
      await admin.disconnect();
      await broker.stop();
    }
  });
});
