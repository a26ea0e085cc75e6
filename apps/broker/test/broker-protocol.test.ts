import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, decodeRecordBatches, decodeResponseFrame, encodeRecordBatch, encodeRequestFrame, ErrorCode } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker, type RunningBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';
import { makeCredential } from '@fjord/broker-contract';

const KEY = 'FJPROTO';
const SECRET = 'proto-secret';
const TOPIC = 'proto';

const plainToken = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`);

const fetchRequest = (fetchOffset: bigint, maxWaitMs: number) => ({
  replicaId: -1,
  maxWaitMs,
  minBytes: 1,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
  forgottenTopicsData: [],
  rackId: '',
});

const produceRequest = (acks: number, value: string) => ({
  transactionalId: null,
  acks,
  timeoutMs: 1000,
  topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value }] }) }] }],
});

describe('broker protocol handling (in process)', () => {
  let dataDir: string;
  let broker: RunningBroker;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-proto-'));
    const config = parseBrokerConfig({
      clusterId: 'c_proto',
      nodeId: 0,
      listen: { host: '127.0.0.1', port: 0 },
      dataDir,
      auth: 'sasl_plain',
      credentials: [makeCredential(KEY, SECRET)],
    });
    broker = await startBroker(config, pino({ level: 'silent' }));
    await broker.topics.create(TOPIC, 1, 1, {});
  });

  afterAll(async () => {
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A connection authenticated through SaslHandshake v1 + SaslAuthenticate. */
  const authenticated = async () => {
    const client = await RawKafkaClient.connect(broker.port);
    expect((await client.request(Api.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(ErrorCode.NONE);
    const auth = await client.request(Api.SaslAuthenticate, 1, { authBytes: plainToken(KEY, SECRET) });
    expect(auth.errorCode).toBe(ErrorCode.NONE);
    return client;
  };

  it('answers ApiVersions before authentication but closes on any other request', async () => {
    const client = await RawKafkaClient.connect(broker.port);
    const versions = await client.request(Api.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
    expect(versions.apiKeys.find((k: { apiKey: number }) => k.apiKey === Api.Produce.key)).toEqual({
      apiKey: Api.Produce.key,
      minVersion: Api.Produce.minVersion,
      maxVersion: Api.Produce.maxVersion,
    });
    await expect(client.request(Api.Metadata, 9, { topics: null, allowAutoTopicCreation: false })).rejects.toThrow(/closed/);
  });

  it('authenticates with SaslHandshake v0 and a bare token frame', async () => {
    const client = await RawKafkaClient.connect(broker.port);
    expect((await client.request(Api.SaslHandshake, 0, { mechanism: 'PLAIN' })).mechanisms).toEqual(['PLAIN']);
    const token = plainToken(KEY, SECRET);
    const frame = Buffer.alloc(4 + token.length);
    frame.writeInt32BE(token.length, 0);
    token.copy(frame, 4);
    client.write(frame);
    expect((await client.readFrame())!.length).toBe(0);
    const metadata = await client.request(Api.Metadata, 9, { topics: null, allowAutoTopicCreation: false });
    expect(metadata.topics.map((t: { name: string }) => t.name)).toEqual([TOPIC]);
    client.close();
  });

  it('answers a wrong password with SASL_AUTHENTICATION_FAILED and closes the connection', async () => {
    const client = await RawKafkaClient.connect(broker.port);
    await client.request(Api.SaslHandshake, 1, { mechanism: 'PLAIN' });
    const auth = await client.request(Api.SaslAuthenticate, 1, { authBytes: plainToken(KEY, 'wrong') });
    expect(auth.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    await client.closed;
  });

  it('refuses other mechanisms and SaslAuthenticate without a handshake', async () => {
    const client = await RawKafkaClient.connect(broker.port);
    const handshake = await client.request(Api.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-512' });
    expect(handshake).toEqual({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN'] });
    client.close();
    const early = await RawKafkaClient.connect(broker.port);
    const auth = await early.request(Api.SaslAuthenticate, 1, { authBytes: plainToken(KEY, SECRET) });
    expect(auth.errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    await early.closed;
  });

  // Clients may send a request right behind SaslAuthenticate; as in Kafka it waits for the login's outcome.
  it('answers a request pipelined behind the login, sized by the limit that applies after it', async () => {
    await broker.topics.create('pipelined', 1, 1, {});
    const client = await RawKafkaClient.connect(broker.port);
    const big = encodeRecordBatch({ records: [{ value: Buffer.alloc(600 * 1024, 1) }] });
    const produce = { ...produceRequest(1, ''), topicData: [{ name: 'pipelined', partitionData: [{ index: 0, records: big }] }] };
    client.write(
      Buffer.concat([
        encodeRequestFrame(Api.SaslHandshake, 1, 1, 't', { mechanism: 'PLAIN' }),
        encodeRequestFrame(Api.SaslAuthenticate, 1, 2, 't', { authBytes: plainToken(KEY, SECRET) }),
        encodeRequestFrame(Api.Produce, 7, 3, 't', produce),
      ]),
    );
    expect(decodeResponseFrame(Api.SaslHandshake, 1, (await client.readFrame())!).body.errorCode).toBe(ErrorCode.NONE);
    expect(decodeResponseFrame(Api.SaslAuthenticate, 1, (await client.readFrame())!).body.errorCode).toBe(ErrorCode.NONE);
    const produced = decodeResponseFrame(Api.Produce, 7, (await client.readFrame())!).body;
    expect(produced.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    client.close();
  });

  it('answers a failed pipelined login, then closes without reading what follows it', async () => {
    const client = await RawKafkaClient.connect(broker.port);
    client.write(
      Buffer.concat([
        encodeRequestFrame(Api.SaslHandshake, 1, 1, 't', { mechanism: 'PLAIN' }),
        encodeRequestFrame(Api.SaslAuthenticate, 1, 2, 't', { authBytes: plainToken(KEY, 'wrong') }),
        encodeRequestFrame(Api.Metadata, 9, 3, 't', { topics: null, allowAutoTopicCreation: false }),
      ]),
    );
    expect(decodeResponseFrame(Api.SaslHandshake, 1, (await client.readFrame())!).body.errorCode).toBe(ErrorCode.NONE);
    const auth = decodeResponseFrame(Api.SaslAuthenticate, 1, (await client.readFrame())!).body;
    expect(auth.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(await client.readFrame()).toBeUndefined();
  });

  it('long-polls an idle fetch until data arrives, and keeps responses in request order', async () => {
    const consumer = await authenticated();
    const producer = await authenticated();
    const fetchId = consumer.nextCorrelationId();
    consumer.write(encodeRequestFrame(Api.Fetch, 11, fetchId, 't', fetchRequest(0n, 30_000)));
    // Pipelined behind the waiting fetch: its answer must not overtake the fetch's.
    const versionsId = consumer.nextCorrelationId();
    consumer.write(encodeRequestFrame(Api.ApiVersions, 3, versionsId, 't', { clientSoftwareName: 't', clientSoftwareVersion: '1' }));

    const produced = await producer.request(Api.Produce, 7, produceRequest(-1, 'woke-up'));
    expect(produced.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });

    const fetched = decodeResponseFrame(Api.Fetch, 11, (await consumer.readFrame())!);
    expect(fetched.correlationId).toBe(fetchId);
    const partition = fetched.body.responses[0].partitions[0];
    expect(partition.highWatermark).toBe(1n);
    const [batch] = decodeRecordBatches(partition.records);
    expect(batch!.records.map((r) => r.value!.toString())).toEqual(['woke-up']);
    expect(decodeResponseFrame(Api.ApiVersions, 3, (await consumer.readFrame())!).correlationId).toBe(versionsId);

    // With nothing new, the fetch returns empty once maxWaitMs has passed.
    const idle = await consumer.request(Api.Fetch, 11, fetchRequest(1n, 50));
    expect(idle.responses[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 1n });
    expect(idle.responses[0].partitions[0].records.length).toBe(0);

    const outOfRange = await consumer.request(Api.Fetch, 11, fetchRequest(5n, 50));
    expect(outOfRange.responses[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: 1n, logStartOffset: 0n });
    consumer.close();
    producer.close();
  });

  it('refuses a batch over the topic max.message.bytes and reports partition sizes', async () => {
    await broker.topics.create('small-messages', 1, 1, { 'max.message.bytes': '2000' });
    const client = await authenticated();
    const big = await client.request(Api.Produce, 7, {
      ...produceRequest(-1, 'x'.repeat(5000)),
      topicData: [{ name: 'small-messages', partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: 'x'.repeat(5000) }] }) }] }],
    });
    expect(big.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    const unknown = await client.request(Api.Produce, 7, { ...produceRequest(-1, 'x'), topicData: [{ name: 'nope', partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: 'x' }] }) }] }] });
    expect(unknown.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    const dirs = await client.request(Api.DescribeLogDirs, 1, { topics: null });
    expect(dirs.results[0].logDir).toBe(dataDir);
    const sizes = new Map(dirs.results[0].topics.map((t: { name: string; partitions: { partitionSize: bigint }[] }) => [t.name, t.partitions[0]!.partitionSize]));
    expect(sizes.get(TOPIC)).toBeGreaterThan(0n);
    expect(sizes.get('small-messages')).toBe(0n);
    client.close();
  });

  it('alters topic configs incrementally and refuses broker configs', async () => {
    const client = await authenticated();
    const alter = (configs: { name: string; configOperation: number; value: string | null }[], resourceType = 2, resourceName = TOPIC) =>
      client.request(Api.IncrementalAlterConfigs, 1, { resources: [{ resourceType, resourceName, configs }], validateOnly: false });
    const retention = async () => {
      const described = await client.request(Api.DescribeConfigs, 4, {
        resources: [{ resourceType: 2, resourceName: TOPIC, configurationKeys: ['retention.bytes'] }],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      return described.results[0].configs[0];
    };
    expect((await alter([{ name: 'retention.bytes', configOperation: 0, value: '1048576' }])).responses[0].errorCode).toBe(ErrorCode.NONE);
    expect(await retention()).toMatchObject({ value: '1048576', configSource: 1 });
    expect((await alter([{ name: 'retention.bytes', configOperation: 0, value: 'lots' }])).responses[0].errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect((await alter([{ name: 'retention.bytes', configOperation: 1, value: null }])).responses[0].errorCode).toBe(ErrorCode.NONE);
    expect(await retention()).toMatchObject({ value: '-1', configSource: 5 });
    expect((await alter([{ name: 'log.retention.ms', configOperation: 0, value: '1' }], 4, '0')).responses[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await alter([], 2, 'missing')).responses[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // The partition logs were reopened under the new settings and still serve their data.
    const fetched = await client.request(Api.Fetch, 11, fetchRequest(0n, 0));
    expect(fetched.responses[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 1n });
    client.close();
  });

  it('deduplicates retried batches of an idempotent producer', async () => {
    await broker.topics.create('idempotent', 1, 1, {});
    const client = await authenticated();
    const init = await client.request(Api.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
    expect(init).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
    const send = (baseSequence: number, producerEpoch = 0) =>
      client
        .request(Api.Produce, 7, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 1000,
          topicData: [
            {
              name: 'idempotent',
              partitionData: [
                {
                  index: 0,
                  records: encodeRecordBatch({
                    producerId: init.producerId,
                    producerEpoch,
                    baseSequence,
                    records: [{ value: `seq-${baseSequence}` }, { value: `seq-${baseSequence + 1}` }],
                  }),
                },
              ],
            },
          ],
        })
        .then((r) => r.responses[0].partitionResponses[0]);
    expect(await send(0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await send(0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await send(2)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
    expect(await send(7)).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(broker.topics.partition('idempotent', 0)!.highWatermark).toBe(4n);

    const bumped = await client.request(Api.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: init.producerId, producerEpoch: 0 });
    expect(bumped).toMatchObject({ errorCode: ErrorCode.NONE, producerId: init.producerId, producerEpoch: 1 });
    expect(await send(0, 1)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 4n });
    expect(await send(2, 0)).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });

    const transactional = await client.request(Api.InitProducerId, 4, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
    expect(transactional.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    client.close();
  });

  it('sends no response to acks=0 but still appends', async () => {
    const client = await authenticated();
    client.write(encodeRequestFrame(Api.Produce, 7, client.nextCorrelationId(), 't', produceRequest(0, 'fire-and-forget')));
    // The next frame on the connection is the fetch's answer: the produce got none.
    const fetched = await client.request(Api.Fetch, 11, fetchRequest(1n, 30_000));
    const [batch] = decodeRecordBatches(fetched.responses[0].partitions[0].records);
    expect(batch!.baseOffset).toBe(1n);
    expect(batch!.records.map((r) => r.value!.toString())).toEqual(['fire-and-forget']);
    client.close();
  });
});
