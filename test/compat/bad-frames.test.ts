import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';
import { Api, decodeResponseFrame, encodeRecordBatch, encodeRequestFrame, ErrorCode, Reader } from '@fjord/kafka-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { RawKafkaClient } from '../helpers/raw-kafka-client.ts';

const MAX_REQUEST_BYTES = 1024 * 1024;
const TOPIC = 'fuzz';

function produceFrame(correlationId: number, corruptCrc = false): Buffer {
  const batch = encodeRecordBatch({ records: [{ key: 'k', value: 'v', headers: [{ key: 'h', value: 'x' }] }] });
  if (corruptCrc) batch[batch.length - 1]! ^= 0xff;
  return encodeRequestFrame(Api.Produce, 7, correlationId, 'fuzz', {
    transactionalId: null,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }],
  });
}

/** Well-formed requests that the fuzzer truncates and flips bits in. */
const VALID_FRAMES = [
  encodeRequestFrame(Api.ApiVersions, 3, 1, 'fuzz', { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }),
  encodeRequestFrame(Api.Metadata, 9, 2, 'fuzz', { topics: [{ name: TOPIC }], allowAutoTopicCreation: false }),
  produceFrame(3),
  encodeRequestFrame(Api.Fetch, 11, 4, 'fuzz', {
    replicaId: -1,
    maxWaitMs: 10,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  }),
  encodeRequestFrame(Api.CreateTopics, 5, 5, 'fuzz', {
    topics: [{ name: 'fuzz-created', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000,
    validateOnly: true,
  }),
];

const sizePrefixed = (body: Uint8Array): Buffer => {
  const frame = Buffer.alloc(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  frame.set(body, 4);
  return frame;
};

const badFrame = fc.oneof(
  // Random bytes, size prefix included.
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  // A well-formed size prefix around random bytes.
  fc.uint8Array({ maxLength: 300 }).map(sizePrefixed),
  // A valid header of any API and version with a random body.
  fc.tuple(fc.integer({ min: -1, max: 80 }), fc.integer({ min: -1, max: 20 }), fc.uint8Array({ maxLength: 200 })).map(([key, version, body]) => {
    const header = Buffer.alloc(10);
    header.writeInt16BE(key, 0);
    header.writeInt16BE(version, 2);
    header.writeInt32BE(7, 4);
    header.writeInt16BE(-1, 8);
    return sizePrefixed(Buffer.concat([header, body]));
  }),
  // A valid request cut short.
  fc.tuple(fc.constantFrom(...VALID_FRAMES), fc.nat()).map(([f, n]) => f.subarray(0, n % f.length)),
  // A valid request with one byte changed (after the size prefix, or in it).
  fc.tuple(fc.constantFrom(...VALID_FRAMES), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([f, at, x]) => {
    const copy = Buffer.from(f);
    copy[at % copy.length]! ^= x;
    return copy;
  }),
  // A size prefix beyond the limit, or negative.
  fc.tuple(fc.oneof(fc.integer({ min: MAX_REQUEST_BYTES + 1, max: 0x7fffffff }), fc.integer({ min: -0x80000000, max: -1 })), fc.uint8Array({ maxLength: 50 })).map(([size, tail]) => {
    const head = Buffer.alloc(4);
    head.writeInt32BE(size, 0);
    return Buffer.concat([head, tail]);
  }),
);

describe('bad frames', () => {
  let broker: TestBroker;
  let healthy: RawKafkaClient;

  beforeAll(async () => {
    broker = await startBroker({ config: { limits: { maxRequestBytes: MAX_REQUEST_BYTES } } });
    healthy = await RawKafkaClient.connect(broker.port);
    const created = await healthy.request(Api.CreateTopics, 5, {
      topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(created.topics[0].errorCode).toBe(ErrorCode.NONE);
  });

  afterAll(async () => {
    healthy?.close();
    await broker?.stop();
  });

  it('answers with errors or closes that connection, never crashes, and other clients keep working', async () => {
    await fc.assert(
      fc.asyncProperty(badFrame, async (bytes) => {
        const client = await RawKafkaClient.connect(broker.port);
        client.write(bytes);
        // Half-close: the broker sees the end of the stream and closes its side once done.
        client.socket.end();
        await client.closed;
        const versions = await healthy.request(Api.ApiVersions, 3, { clientSoftwareName: 'healthy', clientSoftwareVersion: '1' });
        expect(versions.errorCode).toBe(ErrorCode.NONE);
        expect(broker.process.exitCode).toBeNull();
      }),
      { numRuns: 300 },
    );

    const kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.listTopics()).toContain(TOPIC);
    await admin.disconnect();

    // The fuzzer reached both ways of refusing input, and nothing failed unexpectedly inside the broker.
    const messages = broker.logs.map((l) => l.msg);
    expect(messages).toContain('closing connection: bad frame size');
    expect(messages).toContain('closing connection: malformed request');
    expect(broker.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });

  it('closes the connection on a frame size over the limit or below zero', async () => {
    for (const size of [MAX_REQUEST_BYTES + 1, -1]) {
      const client = await RawKafkaClient.connect(broker.port);
      const head = Buffer.alloc(4);
      head.writeInt32BE(size, 0);
      client.write(head);
      await client.closed;
      expect(client.isClosed).toBe(true);
    }
  });

  it('rejects a batch with a wrong CRC with CORRUPT_MESSAGE and keeps the connection', async () => {
    const client = await RawKafkaClient.connect(broker.port);
    client.write(produceFrame(41, true));
    const response = decodeResponseFrame(Api.Produce, 7, (await client.readFrame())!);
    expect(response.correlationId).toBe(41);
    expect(response.body.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    const ok = await client.request(Api.Metadata, 9, { topics: null, allowAutoTopicCreation: false });
    expect(ok.topics.map((t: { name: string }) => t.name)).toContain(TOPIC);
    client.close();
  });

  it('answers an unsupported version or unknown API with UNSUPPORTED_VERSION', async () => {
    const client = await RawKafkaClient.connect(broker.port);
    const header = (key: number, version: number, correlationId: number) => {
      const h = Buffer.alloc(14);
      h.writeInt32BE(10, 0);
      h.writeInt16BE(key, 4);
      h.writeInt16BE(version, 6);
      h.writeInt32BE(correlationId, 8);
      h.writeInt16BE(-1, 12);
      return h;
    };
    for (const [key, version, correlationId] of [[3, 99, 51], [999, 0, 52]] as const) {
      client.write(header(key, version, correlationId));
      const reader = new Reader((await client.readFrame())!);
      expect(reader.readInt32()).toBe(correlationId);
      expect(reader.readInt16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
    }
    // ApiVersions answers at v0 with the versions it does support, so the client can retry lower.
    client.write(header(18, 99, 53));
    const versions = decodeResponseFrame(Api.ApiVersions, 0, (await client.readFrame())!);
    expect(versions.correlationId).toBe(53);
    expect(versions.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(versions.body.apiKeys.map((k: { apiKey: number }) => k.apiKey)).toContain(Api.Produce.key);
    client.close();
  });
});
