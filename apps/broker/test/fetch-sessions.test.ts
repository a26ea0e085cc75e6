import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeCredential } from '@fjord/broker-contract';
import { Api, decodeRecordBatches, encodeRecordBatch, ErrorCode, ZERO_UUID, type FetchResponse } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker, type RunningBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';

const ALICE = { key: 'FJALICE', secret: 'alice-secret' };
const BOB = { key: 'FJBOB', secret: 'bob-secret' };

interface Wanted {
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes?: number;
}

/** A Fetch v17 (topics by id) of one topic's partitions. */
const fetchBody = (topicId: string, sessionId: number, sessionEpoch: number, partitions: Wanted[], extra: { forgotten?: number[]; maxBytes?: number; maxWaitMs?: number; minBytes?: number } = {}) => ({
  replicaId: -1,
  maxWaitMs: extra.maxWaitMs ?? 0,
  minBytes: extra.minBytes ?? 0,
  maxBytes: extra.maxBytes ?? 1 << 20,
  isolationLevel: 0,
  sessionId,
  sessionEpoch,
  topics: partitions.length === 0 ? [] : [{ topicId, partitions: partitions.map((p) => ({ partitionMaxBytes: 1 << 20, ...p })) }],
  forgottenTopicsData: extra.forgotten ? [{ topicId, partitions: extra.forgotten }] : [],
  rackId: '',
});

/** The answered partitions: index -> the values of their records. */
const answered = (response: FetchResponse) =>
  Object.fromEntries(response.responses.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, decodeRecordBatches(p.records ?? Buffer.alloc(0)).flatMap((b) => b.records.map((r) => r.value?.toString()))])));

describe('incremental fetch sessions (KIP-227) over TCP', () => {
  let dataDir: string;
  let broker: RunningBroker;
  let alice: RawKafkaClient;
  let bob: RawKafkaClient;
  let topicId: string;

  const connect = async (who: { key: string; secret: string }) => {
    const client = await RawKafkaClient.connect(broker.port);
    expect((await client.request(Api.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(ErrorCode.NONE);
    expect((await client.request(Api.SaslAuthenticate, 1, { authBytes: Buffer.from(`\0${who.key}\0${who.secret}`) })).errorCode).toBe(ErrorCode.NONE);
    return client;
  };
  const produce = async (partition: number, value: string) => {
    const res = await alice.request(Api.Produce, 11, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'sessions', partitionData: [{ index: partition, records: encodeRecordBatch({ records: [{ value }] }) }] }] });
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
  };
  /** Fetch v12+ always carries the session id. */
  type Answer = FetchResponse & { sessionId: number };
  const fetch = (client: RawKafkaClient, ...args: Parameters<typeof fetchBody>): Promise<Answer> => client.request(Api.Fetch, 17, fetchBody(...args));

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-fetch-sessions-'));
    const config = parseBrokerConfig({
      clusterId: 'c_sessions',
      nodeId: 0,
      listen: { host: '127.0.0.1', port: 0 },
      dataDir,
      auth: 'sasl_plain',
      credentials: [makeCredential(ALICE.key, ALICE.secret), makeCredential(BOB.key, BOB.secret)],
    });
    broker = await startBroker(config, pino({ level: 'silent' }));
    await broker.topics.create('sessions', 3, 1, {});
    alice = await connect(ALICE);
    bob = await connect(BOB);
    const metadata = await alice.request(Api.Metadata, 13, { topics: [{ name: 'sessions', topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    topicId = metadata.topics[0].topicId;
    for (const p of [0, 1, 2]) await produce(p, `p${p}-a`);
  });

  afterAll(async () => {
    alice?.close();
    bob?.close();
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const all = [0, 1, 2].map((partition) => ({ partition, fetchOffset: 0n }));

  it('opens a session on a full fetch, then answers incremental fetches with only the partitions that have news', async () => {
    const opened = await fetch(alice, topicId, 0, 0, all);
    expect(opened.errorCode).toBe(ErrorCode.NONE);
    expect(opened.sessionId).toBeGreaterThan(0);
    expect(answered(opened)).toEqual({ 0: ['p0-a'], 1: ['p1-a'], 2: ['p2-a'] });
    const id = opened.sessionId;

    // The client moves on past what it read; nothing new: an empty answer.
    const caughtUp = all.map((p) => ({ ...p, fetchOffset: 1n }));
    expect(await fetch(alice, topicId, id, 1, caughtUp)).toMatchObject({ errorCode: ErrorCode.NONE, sessionId: id, responses: [] });
    // It sends nothing (its offsets did not change): still nothing to say.
    expect((await fetch(alice, topicId, id, 2, [])).responses).toEqual([]);

    // One partition grows: the answer holds it alone, read from the offset the session remembers.
    await produce(1, 'p1-b');
    const grown = await fetch(alice, topicId, id, 3, []);
    expect(answered(grown)).toEqual({ 1: ['p1-b'] });
    expect(grown.responses[0].topicId).toBe(topicId);
    expect(grown.responses[0].partitions[0].highWatermark).toBe(2n);

    // A forgotten partition is no longer fetched; one added later is answered at once.
    expect((await fetch(alice, topicId, id, 4, [{ partition: 1, fetchOffset: 2n }], { forgotten: [2] })).responses).toEqual([]);
    await produce(2, 'p2-b');
    expect((await fetch(alice, topicId, id, 5, [])).responses).toEqual([]);
    expect(answered(await fetch(alice, topicId, id, 6, [{ partition: 2, fetchOffset: 1n }]))).toEqual({ 2: ['p2-b'] });
  });

  it('long-polls over the session’s partitions and wakes on the one that grows', async () => {
    const opened = await fetch(alice, topicId, 0, 0, [
      { partition: 0, fetchOffset: 1n },
      { partition: 1, fetchOffset: 2n },
    ]);
    expect(opened.responses[0].partitions.map((p) => p.records?.length ?? 0)).toEqual([0, 0]);
    const polled = fetch(alice, topicId, opened.sessionId, 1, [], { maxWaitMs: 5_000, minBytes: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await produce(0, 'p0-late');
    expect(answered(await polled)).toEqual({ 0: ['p0-late'] });
  });

  it('gives each partition its turn at a small budget: one that returned records goes to the back', async () => {
    await produce(1, 'p1-c');
    // Partition 0 holds two batches from offset 0, partition 1 three; a 1-byte budget gets one partition's first batch.
    const opened = await fetch(alice, topicId, 0, 0, [
      { partition: 0, fetchOffset: 0n },
      { partition: 1, fetchOffset: 0n },
    ], { maxBytes: 1 });
    expect(answered(opened)).toEqual({ 0: ['p0-a'], 1: [] });
    // Partition 0 moved to the back: partition 1 is read first now, though partition 0 also has more.
    const next = await fetch(alice, topicId, opened.sessionId, 1, [{ partition: 0, fetchOffset: 1n }], { maxBytes: 1 });
    expect(answered(next)[1]).toEqual(['p1-a']);
    expect(answered(next)[0] ?? []).toEqual([]);
  });

  it('refuses a wrong epoch, a session another principal opened, and a switch between names and ids', async () => {
    const opened = await fetch(alice, topicId, 0, 0, all);
    const id = opened.sessionId;
    expect((await fetch(alice, topicId, id, 7, [])).errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    // Another key's client cannot use it, nor learn that it exists.
    expect(await fetch(bob, topicId, id, 1, [])).toMatchObject({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, responses: [] });
    const byName = await alice.request(Api.Fetch, 12, { ...fetchBody(topicId, id, 1, []), topics: [{ topic: 'sessions', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 }] }], forgottenTopicsData: [] });
    expect(byName.errorCode).toBe(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
    // The refusals did not move the epoch: the right one still works.
    expect((await fetch(alice, topicId, id, 1, [])).errorCode).toBe(ErrorCode.NONE);
  });

  it('closes a session on a fetch with epoch -1, which is answered in full without one', async () => {
    const opened = await fetch(alice, topicId, 0, 0, all);
    const closed = await fetch(alice, topicId, opened.sessionId, -1, all);
    expect(closed.sessionId).toBe(0);
    expect(Object.keys(answered(closed))).toEqual(['0', '1', '2']);
    expect((await fetch(alice, topicId, opened.sessionId, 1, [])).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('keeps sessions by name apart from sessions by id, for clients before Fetch v13', async () => {
    const body = (sessionId: number, sessionEpoch: number, partitions: Wanted[]) => ({
      ...fetchBody(topicId, sessionId, sessionEpoch, []),
      topics: partitions.length === 0 ? [] : [{ topic: 'sessions', partitions: partitions.map((p) => ({ partitionMaxBytes: 1 << 20, ...p })) }],
      forgottenTopicsData: [],
    });
    const opened: Answer = await alice.request(Api.Fetch, 12, body(0, 0, [{ partition: 0, fetchOffset: 2n }]));
    expect(opened.sessionId).toBeGreaterThan(0);
    await produce(0, 'p0-named');
    const grown: Answer = await alice.request(Api.Fetch, 12, body(opened.sessionId, 1, []));
    expect(answered(grown)).toEqual({ 0: ['p0-named'] });
    expect(grown.responses[0].topic).toBe('sessions');
  });
});
