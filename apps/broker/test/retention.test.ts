import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeRecordBatch } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/helpers/control-plane.ts';
import { startBroker, type RunningBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';

describe('retention timer', () => {
  let dataDir: string;
  let broker: RunningBroker;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-retention-'));
    const config = parseBrokerConfig({
      clusterId: 'c_ret',
      nodeId: 0,
      listen: { host: '127.0.0.1', port: 0 },
      dataDir,
      auth: 'none',
      log: { retentionCheckIntervalMs: 20 },
    });
    broker = await startBroker(config, pino({ level: 'silent' }));
  });

  afterAll(async () => {
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('deletes closed segments past the topic retention.ms without being asked', async () => {
    const topic = await broker.topics.create('short-lived', 1, 1, { 'retention.ms': '1', 'segment.bytes': '1024' });
    const log = topic.partitions[0]!;
    // Old record timestamps, small segments: every closed segment is already past retention.
    for (let i = 0; i < 20; i++) {
      await log.append(encodeRecordBatch({ baseTimestamp: 1000n, records: [{ value: Buffer.alloc(300, i), timestamp: 1000n }] }));
    }
    expect(log.segments().length).toBeGreaterThan(1);
    await until('retention to delete a segment', () => (log.logStartOffset > 0n ? true : undefined), 10_000, 20);
    expect(log.logStartOffset).toBeGreaterThan(0n);
    expect(log.highWatermark).toBe(20n);
  });
});
