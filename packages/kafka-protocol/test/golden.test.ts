import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Api,
  apiByKey,
  batchCrcValid,
  decodeRecordBatch,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  splitRecordBatches,
  CompressionType,
} from '../src/index.ts';

interface Fixture {
  client: string;
  apiKey: number;
  apiVersion: number;
  request: string;
  response: string | null;
}

const root = join(import.meta.dirname, 'fixtures');
const load = (path: string): Fixture => JSON.parse(readFileSync(join(root, path), 'utf8'));
const all = readdirSync(root).flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${dir}/${f}`),
);

describe.each(all)('%s', (path) => {
  const fixture = load(path);
  const api = apiByKey.get(fixture.apiKey)!;

  it('decodes the client request and re-encodes it byte for byte', () => {
    const frame = Buffer.from(fixture.request, 'hex');
    const { header, body } = decodeRequestFrame(frame);
    expect(header.apiVersion).toBe(fixture.apiVersion);
    const again = encodeRequestFrame(api, header.apiVersion, header.correlationId, header.clientId, body);
    expect(again.subarray(4).toString('hex')).toBe(fixture.request);
  });

  it.runIf(fixture.response !== null)('decodes the response the client accepted and re-encodes it byte for byte', () => {
    const frame = Buffer.from(fixture.response!, 'hex');
    const { correlationId, body } = decodeResponseFrame(api, fixture.apiVersion, frame);
    const again = encodeResponseFrame(api, fixture.apiVersion, correlationId, body);
    expect(again.subarray(4).toString('hex')).toBe(fixture.response);
  });
});

const request = (path: string) => decodeRequestFrame(Buffer.from(load(path).request, 'hex'));

describe('request contents', () => {
  it('ApiVersions v3 from librdkafka carries its software name and version', () => {
    const { header, body } = request('api-versions/kcat-v3.json');
    expect(header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' });
    expect(body).toEqual({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
  });

  it('Metadata: null topics means all (kcat), a list names them (kafkajs)', () => {
    expect(request('metadata/kcat-v4-all-topics.json').body).toMatchObject({ topics: null, allowAutoTopicCreation: true });
    expect(request('metadata/kafkajs-v6.json').body).toMatchObject({ topics: [{ name: 'golden' }], allowAutoTopicCreation: false });
  });

  it('Metadata v12 from @platformatic/kafka (flexible, topic ids)', () => {
    const { body } = request('metadata/platformatic-v12.json');
    expect(body).toMatchObject({ topics: [{ name: 'golden', topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true });
    const response = decodeResponseFrame(Api.Metadata, 12, Buffer.from(load('metadata/platformatic-v12.json').response!, 'hex')).body;
    expect(response.topics[0]).toMatchObject({ name: 'golden', topicId: '4f3c2a1b-9d8e-4c7b-a6f5-0e1d2c3b4a59' });
  });

  it('Fetch v11 from librdkafka', () => {
    const { body } = request('fetch/kcat-v11.json');
    expect(body).toMatchObject({
      replicaId: -1,
      maxWaitMs: 500,
      isolationLevel: 1,
      topics: [{ topic: 'golden', partitions: [{ partition: 0, fetchOffset: 0n }] }],
      rackId: '',
    });
  });

  it('ListOffsets asks for the earliest offset', () => {
    expect(request('list-offsets/kcat-v2.json').body).toMatchObject({
      replicaId: -1,
      topics: [{ name: 'golden', partitions: [{ partitionIndex: 0, timestamp: -2n }] }],
    });
  });
});

describe('admin and group request contents', () => {
  it('CreateTopics v3 from kafkajs carries partitions and configs', () => {
    expect(request('create-topics/kafkajs-v3.json').body).toEqual({
      topics: [{ name: 'golden-new', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
  });

  it('OffsetFetch v7 from librdkafka is flexible and asks for stable offsets', () => {
    const { header, body } = request('offset-fetch/kcat-v7.json');
    expect(header.clientId).toBe('rdkafka');
    expect(body).toEqual({ groupId: 'golden-group', topics: [{ name: 'golden', partitionIndexes: [0] }], requireStable: true, groups: [] });
  });

  it('JoinGroup v5 from librdkafka offers range and roundrobin with raw subscription metadata', () => {
    const { body } = request('join-group/kcat-v5.json');
    expect(body).toMatchObject({ groupId: 'golden-group', memberId: '', groupInstanceId: null, protocolType: 'consumer', sessionTimeoutMs: 45000 });
    expect(body.protocols.map((p: { name: string }) => p.name)).toEqual(['range', 'roundrobin']);
    expect(body.protocols[0].metadata.includes(Buffer.from('golden'))).toBe(true);
  });

  it('SASL/PLAIN: handshake names the mechanism, authenticate carries NUL user NUL password', () => {
    expect(request('sasl-handshake/kcat-v1.json').body).toEqual({ mechanism: 'PLAIN' });
    expect(request('sasl-authenticate/kcat-v0.json').body.authBytes.toString()).toBe('\0FJKEY\0secret');
    expect(request('sasl-authenticate/kafkajs-v1.json').body.authBytes.toString()).toBe('\0FJKEY\0secret');
  });

  it('fields a version lacks decode to the spec defaults', () => {
    expect(request('init-producer-id/kafkajs-v1.json').body).toEqual({ transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 });
    expect(request('offset-commit/kafkajs-v5.json').body).toMatchObject({
      generationIdOrMemberEpoch: 1,
      memberId: 'member-1',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [{ name: 'golden', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null, committedLeaderEpoch: -1 }] }],
    });
  });
});

describe('record batches from real producers', () => {
  const recordsOf = (path: string): Buffer => {
    const { body } = request(path);
    expect(body.topicData[0]).toMatchObject({ name: 'golden', partitionData: [{ index: 0 }] });
    return body.topicData[0].partitionData[0].records;
  };

  it.each([
    ['produce/kcat-v7-none.json', CompressionType.None],
    ['produce/kcat-v7-gzip.json', CompressionType.Gzip],
    ['produce/kcat-v7-snappy.json', CompressionType.Snappy],
    ['produce/kcat-v7-lz4.json', CompressionType.Lz4],
    ['produce/kcat-v7-zstd.json', CompressionType.Zstd],
    ['produce/kafkajs-v7-none.json', CompressionType.None],
    ['produce/kafkajs-v7-gzip.json', CompressionType.Gzip],
    ['produce/platformatic-v9.json', CompressionType.None],
  ])('%s holds one v2 batch with a valid CRC', (path, compression) => {
    const [batch, ...rest] = splitRecordBatches(recordsOf(path));
    expect(rest).toHaveLength(0);
    expect(batchCrcValid(batch)).toBe(true);
    expect(batch.readInt16BE(21) & 7).toBe(compression);
    const tampered = Buffer.from(batch);
    tampered[tampered.length - 1] ^= 0xff;
    expect(batchCrcValid(tampered)).toBe(false);
  });

  const V = 'abcdefgh'.repeat(32);

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('decodes kcat %s records with keys, values and headers', (codec) => {
    {
      const batch = decodeRecordBatch(recordsOf(`produce/kcat-v7-${codec}.json`));
      expect(batch.records.map((r) => [r.key?.toString(), r.value?.toString(), r.offsetDelta])).toEqual([
        ['key1', `value-one-${V}`, 0],
        ['key2', `value-two-${V}`, 1],
      ]);
      expect(batch.records[0].headers).toEqual([{ key: 'trace', value: Buffer.from('abc') }]);
    }
  });

  it('decodes kafkajs records, timestamps and null keys', () => {
    const batch = decodeRecordBatch(recordsOf('produce/kafkajs-v7-none.json'));
    expect(batch).toMatchObject({ baseOffset: 0n, baseTimestamp: 1700000000000n, maxTimestamp: 1700000000001n, lastOffsetDelta: 1, recordCount: 2 });
    expect(batch.records[0]).toMatchObject({ key: Buffer.from('key1'), value: Buffer.from('value-one'), timestamp: 1700000000000n });
    expect(batch.records[0].headers).toEqual([{ key: 'trace', value: Buffer.from('abc') }]);
    expect(batch.records[1]).toMatchObject({ key: null, value: Buffer.from('value-two'), timestamp: 1700000000001n, offset: 1n });
    const gzip = decodeRecordBatch(recordsOf('produce/kafkajs-v7-gzip.json'));
    expect(gzip.compression).toBe(CompressionType.Gzip);
    expect(gzip.records[0].value?.toString()).toBe('value-one');
  });

  it('decodes the flexible Produce v9 batch from @platformatic/kafka', () => {
    const { header, body } = request('produce/platformatic-v9.json');
    expect(header).toMatchObject({ apiVersion: 9, clientId: 'golden-platformatic' });
    expect(body).toMatchObject({ transactionalId: null, acks: -1 });
    const batch = decodeRecordBatch(recordsOf('produce/platformatic-v9.json'));
    expect(batch.records).toMatchObject([
      { key: Buffer.from('key1'), value: Buffer.from('value-one'), timestamp: 1700000000000n, headers: [{ key: 'trace', value: Buffer.from('abc') }] },
    ]);
  });

  it('Produce request records are views into the frame, not copies', () => {
    const frame = Buffer.from(load('produce/kcat-v7-none.json').request, 'hex');
    const records = decodeRequestFrame(frame).body.topicData[0].partitionData[0].records as Buffer;
    expect(records.buffer).toBe(frame.buffer);
  });

  it('the Fetch response Fjord sent kcat decodes to the batch kcat printed', () => {
    const fixture = load('fetch/kcat-v11.json');
    const { body } = decodeResponseFrame(Api.Fetch, 11, Buffer.from(fixture.response!, 'hex'));
    const batch = decodeRecordBatch(body.responses[0].partitions[0].records);
    expect(batch.records[0]).toMatchObject({ key: Buffer.from('k'), value: Buffer.from('hello') });
  });
});
