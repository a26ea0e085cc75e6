import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, encodeRecordBatch, ErrorCode, ZERO_UUID } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker, type RunningBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';

const UNKNOWN_ID = '7d1b0c6e-3f2a-4e59-9a8b-0c1d2e3f4a5b';

/** A Fetch of partition 0 from offset 0: by name before v13, by id from it (the codec writes the field the version has). */
const fetchBody = (topic: { name?: string; topicId?: string }, sessionId = 0, sessionEpoch = -1) => ({
  replicaId: -1,
  maxWaitMs: 0,
  minBytes: 0,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  sessionId,
  sessionEpoch,
  topics: [{ topic: topic.name, topicId: topic.topicId, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
  forgottenTopicsData: [],
  rackId: '',
});

const produceBody = (topic: { name?: string; topicId?: string }, value: string) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 1000,
  topicData: [{ name: topic.name, topicId: topic.topicId, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value }] }) }] }],
});

describe('topic ids (KIP-516) over TCP', () => {
  let dataDir: string;
  let config: ReturnType<typeof parseBrokerConfig>;
  let broker: RunningBroker;
  let client: RawKafkaClient;

  const start = async () => {
    broker = await startBroker({ ...config, listen: { host: '127.0.0.1', port: 0 } }, pino({ level: 'silent' }));
    client = await RawKafkaClient.connect(broker.port);
  };
  const stop = async () => {
    client?.close();
    await broker?.close();
  };
  const metadataId = async (name: string): Promise<string> => {
    const response = await client.request(Api.Metadata, 13, { topics: [{ name, topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.topics[0].errorCode).toBe(ErrorCode.NONE);
    return response.topics[0].topicId;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-topic-ids-'));
    config = parseBrokerConfig({ clusterId: 'c_ids', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir, auth: 'none' });
    await start();
  });

  afterAll(async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('Fetch v17 by topic id reads the same record bytes as Fetch v12 by name, and answers with the id', async () => {
    await broker.topics.create('same-bytes', 1, 1, {});
    for (const value of ['one', 'two', 'three']) {
      const produced = await client.request(Api.Produce, 9, produceBody({ name: 'same-bytes' }, value));
      expect(produced.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
    }
    const topicId = await metadataId('same-bytes');
    expect(topicId).not.toBe(ZERO_UUID);

    const byName = await client.request(Api.Fetch, 12, fetchBody({ name: 'same-bytes' }));
    const byId = await client.request(Api.Fetch, 17, fetchBody({ topicId }));
    expect(byName.responses[0].topic).toBe('same-bytes');
    expect(byId.responses[0].topicId).toBe(topicId);
    expect(byId.responses[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    expect(byName.responses[0].partitions[0].records.length).toBeGreaterThan(0);
    expect(Buffer.compare(byId.responses[0].partitions[0].records, byName.responses[0].partitions[0].records)).toBe(0);
  });

  it('gives a deleted-and-recreated topic a new id; a fetch with the old id answers UNKNOWN_TOPIC_ID', async () => {
    await broker.topics.create('recreated', 1, 1, {});
    const oldId = await metadataId('recreated');
    const deleted = await client.request(Api.DeleteTopics, 6, { topics: [{ name: 'recreated', topicId: ZERO_UUID }], timeoutMs: 1000 });
    expect(deleted.responses[0]).toMatchObject({ name: 'recreated', topicId: oldId, errorCode: ErrorCode.NONE });
    await broker.topics.create('recreated', 1, 1, {});
    const newId = await metadataId('recreated');
    expect(newId).not.toBe(oldId);

    const stale = await client.request(Api.Fetch, 17, fetchBody({ topicId: oldId }));
    expect(stale.errorCode).toBe(ErrorCode.NONE);
    expect(stale.responses[0].topicId).toBe(oldId);
    expect(stale.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
    const fresh = await client.request(Api.Fetch, 13, fetchBody({ topicId: newId }));
    expect(fresh.responses[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
  });

  it('keeps a topic id across a broker restart', async () => {
    await broker.topics.create('durable-id', 1, 1, {});
    const before = await metadataId('durable-id');
    await stop();
    await start();
    expect(await metadataId('durable-id')).toBe(before);
    expect((await client.request(Api.Fetch, 17, fetchBody({ topicId: before }))).responses[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
  });

  it('deletes a topic by id with DeleteTopics v6, and answers UNKNOWN_TOPIC_ID for an id it does not know', async () => {
    await broker.topics.create('delete-by-id', 1, 1, {});
    const topicId = await metadataId('delete-by-id');
    const response = await client.request(Api.DeleteTopics, 6, { topics: [{ name: null, topicId }, { name: null, topicId: UNKNOWN_ID }], timeoutMs: 1000 });
    expect(response.responses).toMatchObject([
      { name: 'delete-by-id', topicId, errorCode: ErrorCode.NONE },
      { name: null, topicId: UNKNOWN_ID, errorCode: ErrorCode.UNKNOWN_TOPIC_ID },
    ]);
    expect(broker.topics.get('delete-by-id')).toBeUndefined();
  });

  it('appends a Produce v13 by topic id, and answers UNKNOWN_TOPIC_ID for an unknown id', async () => {
    await broker.topics.create('produce-by-id', 1, 1, {});
    const topicId = await metadataId('produce-by-id');
    const produced = await client.request(Api.Produce, 13, produceBody({ topicId }, 'by id'));
    expect(produced.responses[0].topicId).toBe(topicId);
    expect(produced.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(broker.topics.partition('produce-by-id', 0)!.highWatermark).toBe(1n);

    const unknown = await client.request(Api.Produce, 13, produceBody({ topicId: UNKNOWN_ID }, 'lost'));
    expect(unknown.responses[0]).toMatchObject({ topicId: UNKNOWN_ID, partitionResponses: [{ errorCode: ErrorCode.UNKNOWN_TOPIC_ID }] });
  });

  it('refuses Produce v0-v2, removed in Kafka 4.0, although ApiVersions lists them for librdkafka', async () => {
    await broker.topics.create('old-produce', 1, 1, {});
    const versions = await client.request(Api.ApiVersions, 4, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
    expect(versions.apiKeys.find((k: { apiKey: number }) => k.apiKey === Api.Produce.key).minVersion).toBe(0);
    const response = await client.request(Api.Produce, 2, produceBody({ name: 'old-produce' }, 'v2'));
    expect(response.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(broker.topics.partition('old-produce', 0)!.highWatermark).toBe(0n);
  });

  it('commits with OffsetCommit v10 and reads back with OffsetFetch v10 by topic id; v9 and v7 see the same offset by name', async () => {
    await broker.topics.create('commit-by-id', 2, 1, {});
    const topicId = await metadataId('commit-by-id');
    const committed = await client.request(Api.OffsetCommit, 10, {
      groupId: 'ids-group',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        { topicId, partitions: [{ partitionIndex: 1, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: 'm' }] },
        { topicId: UNKNOWN_ID, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] },
      ],
    });
    expect(committed.topics).toMatchObject([
      { topicId, partitions: [{ partitionIndex: 1, errorCode: ErrorCode.NONE }] },
      { topicId: UNKNOWN_ID, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_ID }] },
    ]);

    const byId = await client.request(Api.OffsetFetch, 10, {
      groups: [{ groupId: 'ids-group', memberId: null, memberEpoch: -1, topics: [{ topicId, partitionIndexes: [0, 1] }, { topicId: UNKNOWN_ID, partitionIndexes: [0] }] }],
      requireStable: false,
    });
    expect(byId.groups).toHaveLength(1);
    expect(byId.groups[0]).toMatchObject({ groupId: 'ids-group', errorCode: ErrorCode.NONE });
    expect(byId.groups[0].topics).toMatchObject([
      { topicId, partitions: [{ partitionIndex: 0, committedOffset: -1n }, { partitionIndex: 1, committedOffset: 42n, metadata: 'm', errorCode: ErrorCode.NONE }] },
      { topicId: UNKNOWN_ID, partitions: [{ partitionIndex: 0, committedOffset: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_ID }] },
    ]);
    const all = await client.request(Api.OffsetFetch, 10, { groups: [{ groupId: 'ids-group', memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
    expect(all.groups[0].topics).toMatchObject([{ topicId, partitions: [{ partitionIndex: 1, committedOffset: 42n }] }]);

    const v9 = await client.request(Api.OffsetFetch, 9, {
      groups: [
        { groupId: 'ids-group', memberId: null, memberEpoch: -1, topics: [{ name: 'commit-by-id', partitionIndexes: [1] }] },
        { groupId: 'other-group', memberId: null, memberEpoch: -1, topics: null },
      ],
      requireStable: false,
    });
    expect(v9.groups).toMatchObject([
      { groupId: 'ids-group', errorCode: ErrorCode.NONE, topics: [{ name: 'commit-by-id', partitions: [{ partitionIndex: 1, committedOffset: 42n }] }] },
      { groupId: 'other-group', errorCode: ErrorCode.NONE, topics: [] },
    ]);
    const v7 = await client.request(Api.OffsetFetch, 7, { groupId: 'ids-group', topics: [{ name: 'commit-by-id', partitionIndexes: [1] }], requireStable: false });
    expect(v7.topics[0].partitions[0].committedOffset).toBe(42n);
  });

  it('answers an incremental fetch for a session it never opened with FETCH_SESSION_ID_NOT_FOUND; a sessionless fetch gets session id 0', async () => {
    await broker.topics.create('sessions', 1, 1, {});
    const topicId = await metadataId('sessions');
    const sessionless = await client.request(Api.Fetch, 17, fetchBody({ topicId }, 0, -1));
    expect(sessionless).toMatchObject({ errorCode: ErrorCode.NONE, sessionId: 0 });
    expect(sessionless.responses[0].partitions[0].errorCode).toBe(ErrorCode.NONE);

    const incremental = await client.request(Api.Fetch, 17, fetchBody({ topicId }, 123456, 1));
    expect(incremental).toMatchObject({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] });
    const oldClient = await client.request(Api.Fetch, 11, fetchBody({ name: 'sessions' }, 99, 5));
    expect(oldClient.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });
});
