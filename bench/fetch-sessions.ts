/**
 * Incremental fetch sessions (KIP-227) next to full fetches, in one run against one broker: a
 * consumer of 1,000 partitions of which 10 get a new batch before each fetch (the common shape:
 * many partitions, few busy). The full fetch names every partition each time and is answered with
 * every partition; the incremental one names the partitions whose offsets moved and is answered
 * with the ones that have news. Prints fetches/s (of the time spent fetching), p99 fetch latency and request/response bytes; the
 * two modes take turns for BENCH_ROUNDS rounds, the full fetch is the baseline.
 * Run: `node --import tsx bench/fetch-sessions.ts` (BENCH_PARTITIONS, BENCH_FETCHES). Not part of `npm test`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, decodeResponseFrame, encodeRecordBatch, encodeRequestFrame, type FetchResponse } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { startBroker } from '../apps/broker/src/broker.ts';
import { parseBrokerConfig } from '../apps/broker/src/config/broker-config.ts';
import { RawKafkaClient } from '../test/helpers/raw-kafka-client.ts';

const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 1000);
const BUSY = 10;
const FETCHES = Number(process.env.BENCH_FETCHES ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TOPIC = 'bench-sessions';

const dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-bench-sessions-'));
const broker = await startBroker(
  parseBrokerConfig({ clusterId: 'bench', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir, auth: 'none', log: { flush: 'none' } }),
  pino({ level: 'silent' }),
);

interface Mode {
  name: string;
  fetchesPerSecond: number[];
  p99Ms: number[];
  requestBytes: number;
  responseBytes: number;
}

try {
  await broker.topics.create(TOPIC, PARTITIONS, 1, {});
  const producer = await RawKafkaClient.connect(broker.port);
  const consumer = await RawKafkaClient.connect(broker.port);
  const topicId = broker.topics.get(TOPIC)!.topicId;
  const batch = encodeRecordBatch({ records: [{ value: Buffer.alloc(100, 1) }] });
  const offsets = new Array<bigint>(PARTITIONS).fill(0n);

  const produceToSome = async (step: number) => {
    const partitionData = Array.from({ length: BUSY }, (_, i) => ({ index: (step * 37 + i * 101) % PARTITIONS, records: batch }));
    await producer.request(Api.Produce, 11, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: TOPIC, partitionData }] });
  };

  /** One fetch at v17; returns the frame sizes each way and moves the offsets on. */
  const fetchOnce = async (sessionId: number, sessionEpoch: number, partitions: number[]) => {
    const body = {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 50 << 20,
      isolationLevel: 0,
      sessionId,
      sessionEpoch,
      topics: partitions.length === 0 ? [] : [{ topicId, partitions: partitions.map((partition) => ({ partition, fetchOffset: offsets[partition]!, partitionMaxBytes: 1 << 20 })) }],
      forgottenTopicsData: [],
      rackId: '',
    };
    const correlationId = consumer.nextCorrelationId();
    const request = encodeRequestFrame(Api.Fetch, 17, correlationId, 'bench', body);
    consumer.write(request);
    const frame = (await consumer.readFrame())!;
    const response = decodeResponseFrame(Api.Fetch, 17, frame).body as FetchResponse;
    const moved: number[] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) {
        if ((p.records?.length ?? 0) > 0) {
          offsets[p.partitionIndex] = p.highWatermark;
          moved.push(p.partitionIndex);
        }
      }
    }
    return { requestBytes: request.length, responseBytes: frame.length + 4, sessionId: response.sessionId ?? 0, moved };
  };

  const everyPartition = Array.from({ length: PARTITIONS }, (_, i) => i);
  const full: Mode = { name: `full fetch of ${PARTITIONS} partitions (epoch -1)`, fetchesPerSecond: [], p99Ms: [], requestBytes: 0, responseBytes: 0 };
  const incremental: Mode = { name: 'incremental fetch session', fetchesPerSecond: [], p99Ms: [], requestBytes: 0, responseBytes: 0 };

  const run = async (mode: Mode) => {
    await fetchOnce(0, -1, everyPartition);
    let session = { id: 0, epoch: 0, changed: everyPartition };
    if (mode === incremental) {
      const opened = await fetchOnce(0, 0, everyPartition);
      session = { id: opened.sessionId, epoch: 1, changed: opened.moved };
    }
    const latencies: number[] = [];
    let requestBytes = 0;
    let responseBytes = 0;
    for (let step = 0; step < FETCHES; step++) {
      await produceToSome(step);
      const t0 = performance.now();
      const answer = mode === full ? await fetchOnce(0, -1, everyPartition) : await fetchOnce(session.id, session.epoch, session.changed);
      latencies.push(performance.now() - t0);
      requestBytes += answer.requestBytes;
      responseBytes += answer.responseBytes;
      if (mode === incremental) session = { id: session.id, epoch: session.epoch + 1, changed: answer.moved };
    }
    // Fetch time only: the produce between fetches is the same in both modes.
    const seconds = latencies.reduce((sum, ms) => sum + ms, 0) / 1000;
    latencies.sort((a, b) => a - b);
    mode.fetchesPerSecond.push(FETCHES / seconds);
    mode.p99Ms.push(latencies[Math.floor(latencies.length * 0.99)]!);
    mode.requestBytes = requestBytes / FETCHES;
    mode.responseBytes = responseBytes / FETCHES;
  };

  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? [full, incremental] : [incremental, full]) await run(mode);
  }
  producer.close();
  consumer.close();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const baseline = median(full.fetchesPerSecond);
  console.log(`${PARTITIONS} partitions, ${BUSY} with a new batch before each of ${FETCHES} fetches; medians of ${ROUNDS} rounds; fetches/s counts fetch time only\n`);
  console.log('| mode | fetches/s | vs full | p99 fetch | request | response |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const mode of [full, incremental]) {
    const rate = median(mode.fetchesPerSecond);
    console.log(`| ${mode.name} | ${rate.toFixed(0)} | ${((rate / baseline) * 100).toFixed(0)}% | ${median(mode.p99Ms).toFixed(2)} ms | ${mode.requestBytes.toFixed(0)} B | ${mode.responseBytes.toFixed(0)} B |`);
  }
} finally {
  await broker.close();
  await rm(dataDir, { recursive: true, force: true });
}
