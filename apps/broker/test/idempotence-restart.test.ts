import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, encodeRecordBatch, ErrorCode } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';

describe('idempotent producer across a broker restart', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-idem-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('recognises a retried batch from the log after restart', async () => {
    const config = parseBrokerConfig({ clusterId: 'c_idem', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir, auth: 'none' });
    const produce = async (port: number, producerId: bigint, baseSequence: number) => {
      const client = await RawKafkaClient.connect(port);
      const records = encodeRecordBatch({ producerId, producerEpoch: 0, baseSequence, records: [{ value: `s${baseSequence}` }] });
      const response = await client.request(Api.Produce, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 'retried', partitionData: [{ index: 0, records }] }],
      });
      client.close();
      return response.responses[0].partitionResponses[0];
    };

    let broker = await startBroker(config, pino({ level: 'silent' }));
    await broker.topics.create('retried', 1, 1, {});
    // Another producer's batches and a plain batch around it, so recovery has to pick the right ones.
    expect(await produce(broker.port, 9n, 0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await produce(broker.port, 5n, 0)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 1n });
    expect(await produce(broker.port, 5n, 1)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
    await broker.close();

    broker = await startBroker({ ...config, listen: { host: '127.0.0.1', port: 0 } }, pino({ level: 'silent' }));
    expect(await produce(broker.port, 5n, 1)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
    expect(await produce(broker.port, 5n, 3)).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(await produce(broker.port, 5n, 2)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
    expect(broker.topics.partition('retried', 0)!.highWatermark).toBe(4n);
    await broker.close();
  });
});
