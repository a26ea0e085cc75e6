import { Api, encodeRecordBatch, encodeRequestFrame, decodeResponseFrame, ErrorCode } from '@fjord/kafka-protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { FaultProxy } from '../helpers/fault-proxy.ts';
import { runKcat } from '../helpers/kcat.ts';
import { RawKafkaClient } from '../helpers/raw-kafka-client.ts';

/** Every record of a topic as kcat reads it, one `<partition>:<offset> <value>` line each. */
async function readAll(address: string, topic: string): Promise<string[]> {
  const read = await runKcat(['-b', address, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p:%o %s\n']);
  expect(read.code).toBe(0);
  return read.stdout.split('\n').filter((line) => line.length > 0);
}

const values = (lines: string[]) => lines.map((line) => line.slice(line.indexOf(' ') + 1));

describe('idempotent producers retrying a batch', () => {
  let proxy: FaultProxy;
  let broker: TestBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    proxy = await FaultProxy.start();
    // Clients are told the proxy's address, so every connection after bootstrap goes through it too.
    broker = await startBroker({ config: { advertised: { host: '127.0.0.1', port: proxy.port } } });
    proxy.forwardTo('127.0.0.1', broker.port);
    kafka = new Kafka({ clientId: 'compat-idempotent', brokers: [`127.0.0.1:${proxy.port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: ['raw-retry', 'kafkajs-retry', 'kcat-retry'].map((topic) => ({ topic, numPartitions: 1 })) });
    await admin.disconnect();
  });

  afterAll(async () => {
    await broker?.stop();
    await proxy?.close();
  });

  it('acknowledges a byte-identical resend with the first offset and appends it once; a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    const client = await RawKafkaClient.connect(broker.port);
    const init = await client.request(Api.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
    expect(init.errorCode).toBe(ErrorCode.NONE);
    const produce = (baseSequence: number, correlationId: number) =>
      encodeRequestFrame(Api.Produce, 9, correlationId, 'raw-producer', {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [
          {
            name: 'raw-retry',
            partitionData: [
              {
                index: 0,
                records: encodeRecordBatch({
                  producerId: init.producerId,
                  producerEpoch: init.producerEpoch,
                  baseSequence,
                  records: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `seq ${baseSequence + i}` })),
                }),
              },
            ],
          },
        ],
      });
    const answer = async () => decodeResponseFrame(Api.Produce, 9, (await client.readFrame())!).body.responses[0].partitionResponses[0];

    const frame = produce(0, 100);
    client.write(frame);
    expect(await answer()).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    client.write(frame);
    expect(await answer()).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    client.write(produce(3, 101));
    expect(await answer()).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
    client.write(produce(9, 102));
    expect(await answer()).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1n });
    client.close();

    expect(values(await readAll(broker.address, 'raw-retry'))).toEqual(['seq 0', 'seq 1', 'seq 2', 'seq 3', 'seq 4', 'seq 5']);
  });

  it('kafkajs (idempotent: true) retrying after a lost Produce response writes one copy', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 5, initialRetryTime: 50 } });
    await producer.connect();
    proxy.dropResponses(Api.Produce.key, 1);
    const sent = Array.from({ length: 100 }, (_, i) => `kafkajs ${i}`);
    await producer.send({ topic: 'kafkajs-retry', acks: -1, messages: sent.map((value) => ({ value })) });
    await producer.send({ topic: 'kafkajs-retry', acks: -1, messages: [{ value: 'after the retry' }] });
    await producer.disconnect();
    expect(proxy.dropped.get(Api.Produce.key)).toBe(1);

    const lines = await readAll(broker.address, 'kafkajs-retry');
    expect(values(lines)).toEqual([...sent, 'after the retry']);
    expect(lines.map((line) => line.split(' ')[0])).toEqual(Array.from({ length: 101 }, (_, i) => `0:${i}`));
  });

  it('librdkafka (kcat -X enable.idempotence=true) retrying after a lost Produce response writes one copy', async () => {
    proxy.dropResponses(Api.Produce.key, 1);
    const lines = Array.from({ length: 1000 }, (_, i) => `kcat ${i}`);
    const produced = await runKcat(
      // Bootstrapped directly: kcat gives up when every broker connection is down at once, and the proxied one is cut.
      ['-b', broker.address, '-P', '-t', 'kcat-retry', '-p', '0', '-X', 'enable.idempotence=true', '-X', 'retry.backoff.ms=50'],
      `${lines.join('\n')}\n`,
    );
    // kcat reports the cut connection on stderr, then carries on.
    expect(produced.stderr).toMatch(/Disconnected/);
    expect(produced.code).toBe(0);
    expect(proxy.dropped.get(Api.Produce.key)).toBe(2);
    expect(values(await readAll(broker.address, 'kcat-retry'))).toEqual(lines);
  });
});
