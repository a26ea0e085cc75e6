import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, decodeResponseFrame, encodeRecordBatch, encodeRequestFrame } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker, type RunningBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';
import { ReadBufferPool } from '../src/server/read-buffers.ts';

const TOPIC = 'read-buffers';
const MB = 1024 * 1024;
/** Far more than loopback socket buffers hold, so an unread response stays queued in the broker. */
const RESPONSE_BYTES = 24 * MB;

const fetchRequest = (fetchOffset: bigint, maxWaitMs: number, minBytes = 1) => ({
  replicaId: -1,
  maxWaitMs,
  minBytes,
  maxBytes: 32 * MB,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1n, partitionMaxBytes: 32 * MB }] }],
  forgottenTopicsData: [],
  rackId: '',
});

/** RESPONSE_BYTES of 1 MiB batches whose values are all `fill`. */
async function produce(client: RawKafkaClient, fill: number): Promise<void> {
  for (let sent = 0; sent < RESPONSE_BYTES; sent += MB) {
    const records = encodeRecordBatch({ records: Array.from({ length: 16 }, () => ({ value: Buffer.alloc(MB / 16 - 64, fill) })) });
    await client.request(Api.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] });
  }
}

const valueBytesIn = (records: Buffer, fill: number) => {
  let count = 0;
  for (const byte of records) if (byte === fill) count++;
  return count;
};

describe('Fetch read buffers', () => {
  let dataDir: string;
  let broker: RunningBroker;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-read-buffers-'));
    const config = parseBrokerConfig({ clusterId: 'c_rb', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir, auth: 'none', credentials: [] });
    broker = await startBroker(config, pino({ level: 'silent' }));
    await broker.topics.create(TOPIC, 1, 1, {});
  });

  afterAll(async () => {
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('are not read into again while a response holding them is still queued on the socket', async () => {
    const producer = await RawKafkaClient.connect(broker.port);
    await produce(producer, 0x11);
    const end = broker.topics.partition(TOPIC, 0)!.highWatermark;

    // The consumer sends two fetches and reads nothing: the first answer (everything so far) fills
    // the socket and waits in the broker's queue; the second long-polls at the log end until as much is there again.
    const consumer = await RawKafkaClient.connect(broker.port);
    consumer.socket.pause();
    consumer.write(encodeRequestFrame(Api.Fetch, 11, 1, 'c', fetchRequest(0n, 0)));
    consumer.write(encodeRequestFrame(Api.Fetch, 11, 2, 'c', fetchRequest(end, 10_000, RESPONSE_BYTES - MB)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // New data of the same size wakes the second fetch, whose read takes a buffer of the first's size class.
    await produce(producer, 0x22);
    await new Promise((resolve) => setTimeout(resolve, 300));
    consumer.socket.resume();

    const answers = [];
    for (let i = 0; i < 2; i++) {
      const frame = await consumer.readFrame();
      answers.push(decodeResponseFrame(Api.Fetch, 11, frame!).body.responses[0].partitions[0].records as Buffer);
    }
    const [first, second] = answers as [Buffer, Buffer];
    expect(first.length).toBeGreaterThan(RESPONSE_BYTES * 0.9);
    // The first answer still holds the first data only (a stray 0x22 is a header byte): its buffer was not reused under it.
    expect(valueBytesIn(first, 0x22)).toBeLessThan(10_000);
    expect(valueBytesIn(first, 0x11)).toBeGreaterThan(RESPONSE_BYTES * 0.9);
    expect(valueBytesIn(second, 0x22)).toBeGreaterThan(RESPONSE_BYTES * 0.9);
    producer.close();
    consumer.close();
  });
});

describe('ReadBufferPool', () => {
  it('hands a released buffer out again, and only to a read of its size class', () => {
    const pool = new ReadBufferPool(8 * MB);
    const lease = pool.lease();
    const buffer = lease.allocate(MB + 1);
    expect(buffer.length).toBe(2 * MB);
    expect(pool.lease().allocate(MB + 1)).not.toBe(buffer);
    lease.release();
    expect(pool.freeBytes).toBe(2 * MB);
    expect(pool.lease().allocate(600 * 1024)).not.toBe(buffer);
    expect(pool.lease().allocate(2 * MB)).toBe(buffer);
    expect(pool.freeBytes).toBe(0);
  });

  it('drops the longest unused buffers first when over its limit, so a size no longer read makes way', () => {
    const pool = new ReadBufferPool(4 * MB);
    const large = pool.lease();
    large.allocate(4 * MB);
    large.release();
    const small = pool.lease();
    const buffers = [small.allocate(MB), small.allocate(MB)];
    small.release();
    expect(pool.freeBytes).toBe(2 * MB);
    const again = pool.lease();
    expect(new Set([again.allocate(MB), again.allocate(MB)])).toEqual(new Set(buffers));
    // Small reads come from the heap's own pool, never from this one; reads too large to keep are not rounded up.
    expect(pool.lease().allocate(1000).length).toBe(1000);
    const huge = pool.lease();
    expect(huge.allocate(5 * MB).length).toBe(5 * MB);
    huge.release();
    expect(pool.freeBytes).toBe(0);
  });
});
