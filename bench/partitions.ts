/**
 * How many partitions one broker holds on this machine: for each count (BENCH_PARTITIONS, default
 * 1000,4000,10000) a fresh broker gets that many partitions (topics of 100), each with one record,
 * then the bench prints its open file descriptors, resident memory, the time of a Metadata request
 * for every topic (median of 5), and the time a restart takes until "broker listening".
 * Run: `node --import tsx bench/partitions.ts`. Not part of `npm test`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { Api, encodeRecordBatch, ErrorCode } from '@fjord/kafka-protocol';
import { startBroker, type TestBroker } from '../test/helpers/broker.ts';
import { RawKafkaClient } from '../test/helpers/raw-kafka-client.ts';

const COUNTS = (process.env.BENCH_PARTITIONS ?? '1000,4000,10000').split(',').map(Number);
const PER_TOPIC = 100;

async function openFds(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function metadataMs(client: RawKafkaClient): Promise<{ ms: number; partitions: number }> {
  const times: number[] = [];
  let partitions = 0;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const answer = await client.request(Api.Metadata, 9, { topics: null, allowAutoTopicCreation: false });
    times.push(performance.now() - start);
    partitions = answer.topics.reduce((n: number, t: { partitions: unknown[] }) => n + t.partitions.length, 0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[2]!, partitions };
}

const record = encodeRecordBatch({ baseOffset: 0n, records: [{ key: null, value: Buffer.from('x'), headers: [] }] });

async function fill(client: RawKafkaClient, count: number): Promise<number> {
  const start = performance.now();
  for (let t = 0; t * PER_TOPIC < count; t++) {
    const name = `p${t}`;
    const created = await client.request(Api.CreateTopics, 5, {
      topics: [{ name, numPartitions: Math.min(PER_TOPIC, count - t * PER_TOPIC), replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs: 60_000,
      validateOnly: false,
    });
    const result = created.topics[0];
    if (result.errorCode !== ErrorCode.NONE) throw new Error(`creating ${name}: ${result.errorCode} ${result.errorMessage}`);
    const produced = await client.request(Api.Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30_000,
      topicData: [{ name, partitionData: Array.from({ length: result.numPartitions }, (_, index) => ({ index, records: record })) }],
    });
    for (const p of produced.responses[0].partitionResponses) {
      if (p.errorCode !== ErrorCode.NONE) throw new Error(`producing to ${name}-${p.index}: ${p.errorCode} ${p.errorMessage}`);
    }
  }
  return performance.now() - start;
}

const rows: string[] = ['| partitions | create+produce s | fds | RSS MiB | Metadata ms | restart s | fds after | RSS after MiB |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
for (const count of COUNTS) {
  let broker: TestBroker | undefined;
  let client: RawKafkaClient | undefined;
  try {
    broker = await startBroker({ config: { limits: { maxPartitions: 1_000_000 }, log: { flush: 'none' } } });
    client = await RawKafkaClient.connect(broker.port);
    const fillMs = await fill(client, count);
    const pid = broker.process.pid!;
    const fds = await openFds(pid);
    const rss = await rssMiB(pid);
    const metadata = await metadataMs(client);
    client.close();
    await broker.shutdown();
    let row = `| ${metadata.partitions} | ${(fillMs / 1000).toFixed(1)} | ${fds} | ${rss.toFixed(0)} | ${metadata.ms.toFixed(1)} |`;
    const start = performance.now();
    try {
      await broker.restart();
      const restartMs = performance.now() - start;
      client = await RawKafkaClient.connect(broker.port);
      await metadataMs(client);
      const after = broker.process.pid!;
      row += ` ${(restartMs / 1000).toFixed(1)} | ${await openFds(after)} | ${(await rssMiB(after)).toFixed(0)} |`;
    } catch (err) {
      row += ` not listening after ${((performance.now() - start) / 1000).toFixed(0)} s (the helper's limit) | | |`;
    }
    rows.push(row);
    console.error(row);
  } catch (err) {
    const row = `| ${count} | failed: ${(err as Error).message.split('\n')[0]!.slice(0, 200)} |`;
    rows.push(row);
    console.error(row);
  } finally {
    client?.close();
    await broker?.stop();
  }
}
console.log(rows.join('\n'));
