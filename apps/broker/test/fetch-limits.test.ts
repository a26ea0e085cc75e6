import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, BATCH_LOG_OVERHEAD, BatchOffset, encodeRecordBatch, ErrorCode } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker, type RunningBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';

const TOPIC = 'limits';
const PARTITIONS = 10;

interface Wanted {
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
}

const fetchRequest = (maxBytes: number, wanted: Wanted[]) => ({
  replicaId: -1,
  maxWaitMs: 0,
  minBytes: 0,
  maxBytes,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [{ topic: TOPIC, partitions: wanted.map((w) => ({ ...w, currentLeaderEpoch: -1, logStartOffset: -1n })) }],
  forgottenTopicsData: [],
  rackId: '',
});

/** Batch sizes of a partition's whole log, in order. */
function batchSizes(records: Buffer): number[] {
  const sizes = [];
  for (let at = 0; at < records.length; ) {
    const size = BATCH_LOG_OVERHEAD + records.readInt32BE(at + BatchOffset.BatchLength);
    sizes.push(size);
    at += size;
  }
  return sizes;
}

describe('Fetch limits over many partitions', () => {
  let dataDir: string;
  let broker: RunningBroker;
  let client: RawKafkaClient;
  /** Each partition's log as stored, read alone. */
  const logs: Buffer[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-fetch-limits-'));
    const config = parseBrokerConfig({ clusterId: 'c_limits', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir, auth: 'none', credentials: [] });
    broker = await startBroker(config, pino({ level: 'silent' }));
    await broker.topics.create(TOPIC, PARTITIONS, 1, {});
    client = await RawKafkaClient.connect(broker.port);
    for (let p = 0; p < PARTITIONS; p++) {
      for (let b = 0; b < 4; b++) {
        const records = encodeRecordBatch({ records: [{ value: Buffer.alloc(500 + 700 * ((p + b) % 5), p) }] });
        await client.request(Api.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: p, records }] }] });
      }
      const alone = await client.request(Api.Fetch, 11, fetchRequest(1 << 20, [{ partition: p, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }]));
      logs.push(alone.responses[0].partitions[0].records);
    }
  });

  afterAll(async () => {
    client?.close();
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives each partition the lesser of its limit and what those before it left, whole batches, the first even when larger', async () => {
    for (const [maxBytes, partitionMaxBytes] of [
      [1, 1],
      [5000, 3000],
      [9000, 100_000],
      [30_000, 4000],
      [1 << 20, 1 << 20],
    ] as const) {
      const wanted = Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, fetchOffset: 0n, partitionMaxBytes }));
      const response = await client.request(Api.Fetch, 11, fetchRequest(maxBytes, wanted));
      let budget = maxBytes;
      response.responses[0].partitions.forEach((answer: { partitionIndex: number; errorCode: number; records: Buffer }, p: number) => {
        expect(answer.partitionIndex).toBe(p);
        expect(answer.errorCode).toBe(ErrorCode.NONE);
        const limit = Math.min(partitionMaxBytes, budget);
        let expected = 0;
        if (limit > 0) {
          for (const size of batchSizes(logs[p]!)) {
            if (expected > 0 && expected + size > limit) break;
            expected += size;
          }
        }
        expect(answer.records.length, `partition ${p} within ${maxBytes}/${partitionMaxBytes}`).toBe(expected);
        expect(answer.records.equals(logs[p]!.subarray(0, expected))).toBe(true);
        budget -= expected;
      });
    }
  });

  it('answers an offset out of range with OFFSET_OUT_OF_RANGE, except once the budget is spent, and an unknown partition with its error', async () => {
    const end = broker.topics.partition(TOPIC, 0)!.highWatermark;
    const response = await client.request(
      Api.Fetch,
      11,
      fetchRequest(logs[0]!.length + logs[1]!.length, [
        { partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 },
        { partition: 2, fetchOffset: end + 5n, partitionMaxBytes: 1 << 20 },
        { partition: PARTITIONS + 1, fetchOffset: 0n, partitionMaxBytes: 1 << 20 },
        { partition: 1, fetchOffset: 0n, partitionMaxBytes: 1 << 20 },
        { partition: 3, fetchOffset: end + 5n, partitionMaxBytes: 1 << 20 },
        { partition: 4, fetchOffset: 0n, partitionMaxBytes: 1 << 20 },
      ]),
    );
    const answers = response.responses[0].partitions.map((p: { partitionIndex: number; errorCode: number; records: Buffer }) => [p.partitionIndex, p.errorCode, p.records.length]);
    expect(answers).toEqual([
      [0, ErrorCode.NONE, logs[0]!.length],
      [2, ErrorCode.OFFSET_OUT_OF_RANGE, 0],
      [PARTITIONS + 1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
      [1, ErrorCode.NONE, logs[1]!.length],
      // Nothing left of the budget: not read, so not out of range either.
      [3, ErrorCode.NONE, 0],
      [4, ErrorCode.NONE, 0],
    ]);
  });
});
