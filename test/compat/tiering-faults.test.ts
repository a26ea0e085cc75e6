import { access } from 'node:fs/promises';
import path from 'node:path';
import { startFauxqs } from 'fauxqs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore, type ObjectStore } from '@fjord/object-store';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/control-plane.ts';
import { runKcat } from '../helpers/kcat.ts';
import { S3FaultProxy } from '../helpers/s3-fault-proxy.ts';
import { CLUSTER_PREFIX, listAll, localSegments, numberedLines, partitionPrefix, remoteLogBytes, remoteRanges } from '../helpers/tiering.ts';

const MB = 1024 * 1024;
const LINES = numberedLines(4096);

describe('tiered storage under faults (S3 store behind a fault proxy)', () => {
  let server: Awaited<ReturnType<typeof startFauxqs>>;
  let proxy: S3FaultProxy;
  let store: ObjectStore;
  let broker: TestBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
    server.createBucket('fjord-tiered');
    proxy = await S3FaultProxy.start(server.port);
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    store = createObjectStore({
      kind: 's3',
      bucket: 'fjord-tiered',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${server.port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    broker = await startBroker({
      config: {
        tiering: {
          objectStore: { kind: 's3', bucket: 'fjord-tiered', region: 'us-east-1', endpoint: proxy.endpoint, forcePathStyle: true },
          policy: { enabled: true, localRetentionMs: 86_400_000, prefix: CLUSTER_PREFIX },
          intervalMs: 200,
          retryMs: 200,
          maxRetryMs: 1000,
        },
      },
    });
    kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  });

  afterAll(async () => {
    await broker?.stop();
    await store?.close();
    await proxy?.close();
    await server?.stop();
  });

  async function createTopic(topic: string): Promise<void> {
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
    } finally {
      await admin.disconnect();
    }
  }

  async function produce(topic: string): Promise<void> {
    const produced = await runKcat(['-b', broker.address, '-P', '-t', topic, '-p', '0', '-X', 'acks=all'], `${LINES.join('\n')}\n`, 60_000);
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
  }

  async function consumeAll(topic: string): Promise<string[]> {
    const consumed = await runKcat(['-b', broker.address, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q'], undefined, 60_000);
    expect(consumed.code).toBe(0);
    return consumed.stdout.split('\n').filter((line) => line.length > 0);
  }

  /**
   * Waits until most of the partition is remote, checking on every look that no offset is missing:
   * the local directory is read before the store, so a segment deleted locally between the two
   * reads was uploaded before it went and shows in the store.
   */
  async function untilTiered(dir: string, prefix: string): Promise<void> {
    await until(
      'the partition tiered with no gap between remote and local',
      async () => {
        const local = await localSegments(dir);
        const remote = await remoteRanges(store, prefix);
        const remoteNext = remote.length > 0 ? remote[remote.length - 1].end + 1n : 0n;
        expect(local.bases[0] ?? 0n).toBeLessThanOrEqual(remoteNext);
        for (let i = 1; i < remote.length; i++) expect(remote[i].start).toBe(remote[i - 1].end + 1n);
        return remote.length > 0 && remote[0].start === 0n && (await remoteLogBytes(store, prefix)) > 2 * MB && local.bytes < 2 * MB
          ? true
          : undefined;
      },
      60_000,
    );
  }

  it('kill -9 during an upload: the local segment stays until its upload is verified, nothing is lost or served twice', async () => {
    const topic = 'killed';
    proxy.mode = 'stall-log-puts';
    await createTopic(topic);
    const dir = path.join(broker.dataDir, `${topic}-0`);
    const prefix = await partitionPrefix(broker, topic, 0);
    await produce(topic);
    await until('an upload of a segment log is under way', () => (proxy.stalled.some((url) => url.includes(`${topic}/`)) ? true : undefined), 30_000);

    await broker.kill9();
    proxy.resetConnections();
    // The segment being uploaded is still on local disk, and no manifest names it.
    await access(path.join(dir, '00000000000000000000.log'));
    expect((await listAll(store, prefix)).filter((key) => key.endsWith('.manifest.json'))).toEqual([]);

    proxy.mode = 'pass';
    await broker.restart();
    await untilTiered(dir, prefix);
    expect(await consumeAll(topic)).toEqual(LINES);
  });

  it('with the S3 server down, produce keeps working on local disk and tiering catches up when it returns', async () => {
    const topic = 'offline';
    proxy.mode = 'down';
    proxy.resetConnections();
    await createTopic(topic);
    const dir = path.join(broker.dataDir, `${topic}-0`);
    const prefix = await partitionPrefix(broker, topic, 0);
    await produce(topic);
    await until('the broker has tried and backed off', () => (broker.logs.some((l) => l.msg === 'tiering failed; retrying later' && l.topic === topic) ? true : undefined), 30_000);
    expect((await localSegments(dir)).bytes).toBeGreaterThan(4 * MB);
    expect(await listAll(store, prefix)).toEqual([]);
    expect(await consumeAll(topic)).toEqual(LINES);

    proxy.mode = 'pass';
    await untilTiered(dir, prefix);
    expect(await consumeAll(topic)).toEqual(LINES);
  });
});
