import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/control-plane.ts';
import { runKcat } from '../helpers/kcat.ts';

const TOPIC = 'durable';
const BATCH = 20;

describe('durability: kill -9 in the middle of a produce stream', () => {
  let broker: TestBroker;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-durability-'));
    broker = await startBroker({ dataDir });
  });

  afterAll(async () => {
    await broker?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const client = () =>
    new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 0 } });

  it('keeps every acknowledged record and continues offsets without gaps or duplicates', async () => {
    const admin = client().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
    await admin.disconnect();

    // Four producers stream concurrently; each acknowledged batch is remembered with its offsets.
    const acked = new Map<string, bigint>();
    let killed = false;
    const stream = async (producer: Producer, id: number) => {
      for (let n = 0; !killed; n++) {
        const values = Array.from({ length: BATCH }, (_, i) => `p${id}-b${n}-m${i}`);
        try {
          const [meta] = await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ value })) });
          const base = BigInt(meta!.baseOffset!);
          values.forEach((v, i) => acked.set(v, base + BigInt(i)));
        } catch {
          return;
        }
      }
    };
    const producers = Array.from({ length: 4 }, () => client().producer({ retry: { retries: 0 } }));
    await Promise.all(producers.map((p) => p.connect()));
    const streams = producers.map((p, id) => stream(p, id));
    await until('4000 acknowledged records before the kill', () => (acked.size >= 4000 ? true : undefined), 30_000, 10);
    await broker.kill9();
    killed = true;
    await Promise.all(streams);
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));

    await broker.restart();
    const read = await runKcat(['-b', broker.address, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%o %s\n']);
    expect(read.code).toBe(0);
    const records = read.stdout.trim().split('\n').map((line) => {
      const [offset, value] = line.split(' ');
      return { offset: BigInt(offset!), value: value! };
    });
    records.forEach((r, i) => expect(r.offset).toBe(BigInt(i)));
    expect(new Set(records.map((r) => r.value)).size).toBe(records.length);
    const byValue = new Map(records.map((r) => [r.value, r.offset]));
    for (const [value, offset] of acked) expect(byValue.get(value)).toBe(offset);

    const producer = client().producer();
    await producer.connect();
    const [after] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'after-restart' }] });
    await producer.disconnect();
    expect(BigInt(after!.baseOffset!)).toBe(BigInt(records.length));
  });

  it('stops gracefully on SIGTERM with clients connected, and keeps everything', async () => {
    const producer = client().producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'before-sigterm' }] });
    const child = broker.process;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(broker.logs.map((l) => l.msg)).toContain('broker stopped');
    await producer.disconnect().catch(() => undefined);

    await broker.restart();
    const read = await runKcat(['-b', broker.address, '-C', '-t', TOPIC, '-o', '-1', '-e', '-q', '-f', '%o %s\n']);
    expect(read.stdout.trim()).toBe(`${sent!.baseOffset} before-sigterm`);
  });
});
