/**
 * Fetch by topic id (v17) next to Fetch by name (v12), in one run against one broker: the same
 * partition read from offset 0 to its end, in 1 MiB answers, over the codec on a raw TCP connection.
 * The two take turns for BENCH_ROUNDS rounds, each going first every other round, so drift and
 * warm-up hit both alike; the v12 figure is the baseline.
 * Run: `node --import tsx bench/fetch-versions.ts` (BENCH_MB=64 sets the volume). Not part of `npm test`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, encodeRecordBatch, ZERO_UUID } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { startBroker } from '../apps/broker/src/broker.ts';
import { parseBrokerConfig } from '../apps/broker/src/config/broker-config.ts';
import { RawKafkaClient } from '../test/helpers/raw-kafka-client.ts';

const MB = 1024 * 1024;
const VOLUME_MB = Number(process.env.BENCH_MB ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH_RECORDS = 256;
const RECORD_BYTES = 1024;
const TOPIC = 'bench-fetch';

const dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-bench-fetch-'));
const broker = await startBroker(
  parseBrokerConfig({ clusterId: 'bench', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir, auth: 'none', log: { flush: 'none' } }),
  pino({ level: 'silent' }),
);
try {
  await broker.topics.create(TOPIC, 1, 1, {});
  const client = await RawKafkaClient.connect(broker.port);
  const value = Buffer.alloc(RECORD_BYTES, 7);
  const batch = encodeRecordBatch({ records: Array.from({ length: BATCH_RECORDS }, () => ({ value })) });
  for (let written = 0; written < VOLUME_MB * MB; written += batch.length) {
    await client.request(Api.Produce, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }] });
  }
  const topicId = broker.topics.get(TOPIC)!.topicId;
  const end = broker.topics.partition(TOPIC, 0)!.highWatermark;

  /** Reads the partition to its end at `version`; MB/s of record bytes. */
  const readAll = async (version: number): Promise<number> => {
    let offset = 0n;
    let bytes = 0;
    const start = performance.now();
    while (offset < end) {
      const response = await client.request(Api.Fetch, version, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: MB,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic: TOPIC, topicId: version >= 13 ? topicId : ZERO_UUID, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: MB }] }],
        forgottenTopicsData: [],
        rackId: '',
      });
      const records: Buffer = response.responses[0].partitions[0].records;
      if (records.length === 0) throw new Error(`Fetch v${version} answered nothing at offset ${offset}`);
      bytes += records.length;
      // The last whole batch's base offset plus its record count: batches here hold BATCH_RECORDS each.
      let position = 0;
      while (position + 12 <= records.length) {
        const base = records.readBigInt64BE(position);
        const length = records.readInt32BE(position + 8);
        if (position + 12 + length > records.length) break;
        offset = base + BigInt(BATCH_RECORDS);
        position += 12 + length;
      }
    }
    return bytes / MB / ((performance.now() - start) / 1000);
  };

  const results: Record<number, number[]> = { 12: [], 17: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const version of round % 2 === 0 ? [12, 17] : [17, 12]) results[version]!.push(await readAll(version));
  }
  client.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const baseline = median(results[12]!);
  console.log(`| read of ${VOLUME_MB} MiB, median of ${ROUNDS} | MB/s | vs v12 |`);
  console.log('| --- | --- | --- |');
  for (const version of [12, 17]) {
    const m = median(results[version]!);
    console.log(`| Fetch v${version} ${version >= 13 ? 'by topic id' : 'by name'} | ${m.toFixed(0)} | ${((m / baseline) * 100).toFixed(0)}% |`);
  }
} finally {
  await broker.close();
  await rm(dataDir, { recursive: true, force: true });
}
