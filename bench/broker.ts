/**
 * Broker throughput and latency next to the machine's own limits, in one run:
 *   - dd: sequential write of the same volume to the broker's disk (one fdatasync at the end), right
 *     before each produce run, since this disk's speed drifts with its writeback state
 *   - loopback: the same volume through a local TCP connection (Node, discard on receipt)
 *   - kcat produce (1 KiB records) with acks=all and acks=1, and the broker's CPU-seconds per GB
 *   - the client's ceiling: the same kcat produce to a broker that never fsyncs
 *   - kcat consume of everything, with default fetch sizes and with large ones, and the broker's
 *     CPU-seconds per GB; next to it the client's ceiling: kcat consuming the same batches from a
 *     minimal in-process server that holds them in memory (bench/memory-fetch-server.ts)
 *   - 100 B records: records/s produced and consumed
 *   - produce latency: one 1 KiB record per request, acks=-1, one request at a time (p50/p99)
 * The machine is shared, so the consume figures are medians of BENCH_ROUNDS rounds (default 3), each
 * round running loopback, broker and in-memory consumes back to back.
 * Run: `node --import tsx bench/broker.ts` (BENCH_MB=256 sets the volume, BENCH_SMALL_RECORDS the
 * number of 100 B records). Prints a table; not part of `npm test`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, BATCH_LOG_OVERHEAD, BatchOffset, encodeRecordBatch, encodeRequestFrame } from '@fjord/kafka-protocol';
import { startBroker } from '../test/helpers/broker.ts';
import { RawKafkaClient } from '../test/helpers/raw-kafka-client.ts';
import { startMemoryFetchServer } from './memory-fetch-server.ts';

const MB = 1024 * 1024;
const VOLUME_MB = Number(process.env.BENCH_MB ?? 256);
const RECORD_BYTES = 1024;
const RECORDS = Math.floor((VOLUME_MB * MB) / RECORD_BYTES);
const SMALL_RECORD_BYTES = 100;
const SMALL_RECORDS = Number(process.env.BENCH_SMALL_RECORDS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GB = 1e9;
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 2000);

const rate = (bytes: number, ms: number) => bytes / MB / (ms / 1000);
const rows: [string, string][] = [];
const report = (name: string, value: string) => {
  rows.push([name, value]);
  console.error(`${name}: ${value}`);
};

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now() - start);
      else reject(new Error(`${cmd} exited ${code}: ${stderr}`));
    });
  });
}

async function loopbackCopy(bytes: number): Promise<number> {
  const chunk = Buffer.alloc(MB, 7);
  const server = net.createServer((socket) => socket.on('data', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  const ms = performance.now() - start;
  server.close();
  return ms;
}

/** dd of `bytes` to the broker's disk with one fdatasync at the end, after a `sync` so it starts clean. */
function ddWrite(dir: string, bytes: number): number {
  const file = path.join(dir, 'dd.bin');
  execFileSync('sync');
  const ms = timed(() =>
    execFileSync('dd', ['if=/dev/zero', `of=${file}`, `bs=${MB}`, `count=${Math.round(bytes / MB)}`, 'conv=fdatasync'], { stdio: 'ignore' }),
  );
  execFileSync('rm', [file]);
  execFileSync('sync');
  return rate(bytes, ms);
}

/** `count` lines of `size` bytes with the newline, so kcat -P -l produces records of size - 1. */
async function writeLines(file: string, count: number, size: number): Promise<void> {
  const out = createWriteStream(file);
  const filler = 'x'.repeat(size - 12);
  for (let i = 0; i < count; i++) {
    if (!out.write(`${String(i).padStart(10, '0')}-${filler}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** User plus system CPU time of a process and all its threads so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString());
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The partition's batches as the broker serves them, fetched once, for the in-memory server. */
async function fetchAll(port: number, topic: string): Promise<Buffer> {
  const client = await RawKafkaClient.connect(port);
  const parts: Buffer[] = [];
  let offset = 0n;
  for (;;) {
    const response = await client.request(Api.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 64 * MB,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 64 * MB }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const p = response.responses[0].partitions[0];
    const records: Buffer = p.records ?? Buffer.alloc(0);
    if (records.length === 0) break;
    parts.push(records);
    let at = 0;
    while (at < records.length) {
      offset = records.readBigInt64BE(at + BatchOffset.BaseOffset) + BigInt(records.readInt32BE(at + BatchOffset.LastOffsetDelta)) + 1n;
      at += BATCH_LOG_OVERHEAD + records.readInt32BE(at + BatchOffset.BatchLength);
    }
    if (offset >= p.highWatermark) break;
  }
  client.close();
  return Buffer.concat(parts);
}

async function produceLatency(port: number, topic: string): Promise<number[]> {
  const client = await RawKafkaClient.connect(port);
  const value = Buffer.alloc(RECORD_BYTES, 1);
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const frame = encodeRequestFrame(Api.Produce, 7, client.nextCorrelationId(), 'bench', {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value }] }) }] }],
    });
    const start = performance.now();
    client.write(frame);
    await client.readFrame();
    samples.push(performance.now() - start);
  }
  client.close();
  return samples.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fjord-bench-'));
  const dataDir = path.join(dir, 'data');
  const bytes = RECORDS * RECORD_BYTES;
  console.error(`volume: ${RECORDS} records of ${RECORD_BYTES} B = ${(bytes / MB).toFixed(0)} MiB, data in ${dir}`);
  try {
    const lines = path.join(dir, 'lines.txt');
    await writeLines(lines, RECORDS, RECORD_BYTES);
    const smallLines = path.join(dir, 'small-lines.txt');
    await writeLines(smallLines, SMALL_RECORDS, SMALL_RECORD_BYTES + 1);
    const broker = await startBroker({ dataDir });
    const brokerPid = broker.process.pid!;
    try {
      const admin = await RawKafkaClient.connect(broker.port);
      await admin.request(Api.CreateTopics, 5, {
        topics: ['bench-all', 'bench-one', 'bench-small', 'bench-latency'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
        timeoutMs: 5000,
        validateOnly: false,
      });
      admin.close();
      const kcat = (args: string[]) => run('kcat', ['-b', broker.address, ...args]);
      const producerTuning = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'queue.buffering.max.kbytes=1048576'];
      let produceCpu = 0;
      for (const [topic, acks] of [['bench-all', 'all'], ['bench-one', '1']] as const) {
        // The disk's speed drifts with its writeback state, so each produce run is paired with a dd
        // of the same volume just before it, both starting from a clean page cache.
        const dd = ddWrite(dir, bytes);
        const cpuBefore = cpuSeconds(brokerPid);
        const ms = await kcat(['-P', '-t', topic, '-l', '-X', `acks=${acks}`, ...producerTuning, lines]);
        produceCpu += cpuSeconds(brokerPid) - cpuBefore;
        const produce = rate(bytes, ms);
        report(`dd sequential write before acks=${acks === 'all' ? '-1' : acks} run (conv=fdatasync)`, `${dd.toFixed(0)} MB/s`);
        report(
          `kcat produce acks=${acks === 'all' ? '-1' : acks}`,
          `${produce.toFixed(0)} MB/s (${((RECORDS / ms) * 1000).toFixed(0)} records/s, ${((produce / dd) * 100).toFixed(0)}% of dd)`,
        );
      }
      const producePerGb = produceCpu / ((2 * bytes) / GB);
      report('broker CPU per GB produced (1 KiB records, both runs)', `${producePerGb.toFixed(2)} CPU-s/GB`);
      // The client's own ceiling: the same produce to a broker that never fsyncs. When it matches the
      // runs above, durability costs nothing measurable and kcat is what limits them.
      const ceiling = await startBroker({ dataDir: path.join(dir, 'data-no-fsync'), config: { log: { flush: 'none' } } });
      try {
        const ceilingAdmin = await RawKafkaClient.connect(ceiling.port);
        await ceilingAdmin.request(Api.CreateTopics, 5, {
          topics: [{ name: 'bench-ceiling', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
          timeoutMs: 5000,
          validateOnly: false,
        });
        ceilingAdmin.close();
        const ms = await run('kcat', ['-b', ceiling.address, '-P', '-t', 'bench-ceiling', '-l', '-X', 'acks=1', ...producerTuning, lines]);
        report('kcat produce acks=1 to a broker that never fsyncs (the client ceiling)', `${rate(bytes, ms).toFixed(0)} MB/s (${((RECORDS / ms) * 1000).toFixed(0)} records/s)`);
      } finally {
        await ceiling.stop();
      }

      // librdkafka's defaults are 1 MiB per partition per fetch (max.partition.fetch.bytes) within
      // 50 MiB per request; "large" lets one fetch carry 16 MiB of the partition.
      const fetchSizes = { default: [] as string[], large: ['-X', 'max.partition.fetch.bytes=16777216'] };
      const memory = await startMemoryFetchServer('bench-all', await fetchAll(broker.port, 'bench-all'));
      const consume = (address: string, topic: string, count: number, extra: string[]) =>
        run('kcat', ['-b', address, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-c', String(count), ...extra]);
      const figures: Record<string, number[]> = { loopback: [], default: [], large: [], memoryDefault: [], memoryLarge: [] };
      let consumeCpu = 0;
      try {
        for (let round = 0; round < ROUNDS; round++) {
          figures.loopback!.push(rate(bytes, await loopbackCopy(bytes)));
          for (const size of ['default', 'large'] as const) {
            const cpuBefore = cpuSeconds(brokerPid);
            figures[size]!.push(rate(bytes, await consume(broker.address, 'bench-all', RECORDS, fetchSizes[size])));
            consumeCpu += cpuSeconds(brokerPid) - cpuBefore;
            const key = size === 'default' ? 'memoryDefault' : 'memoryLarge';
            figures[key]!.push(rate(bytes, await consume(memory.address, 'bench-all', RECORDS, fetchSizes[size])));
          }
        }
      } finally {
        await memory.close();
      }
      const loopback = median(figures.loopback!);
      const consumePerGb = consumeCpu / ((2 * ROUNDS * bytes) / GB);
      const of = (value: number, base: number, name: string) => `${((value / base) * 100).toFixed(0)}% of ${name}`;
      const rounds = (values: number[]) => `rounds: ${values.map((v) => v.toFixed(0)).join(', ')}`;
      report(`loopback TCP copy (node), median of ${ROUNDS}`, `${loopback.toFixed(0)} MB/s (${rounds(figures.loopback!)})`);
      for (const size of ['default', 'large'] as const) {
        const brokerRate = median(figures[size]!);
        const memoryRounds = figures[size === 'default' ? 'memoryDefault' : 'memoryLarge']!;
        const memoryRate = median(memoryRounds);
        report(
          `kcat consume from memory, ${size} fetch sizes (the client ceiling)`,
          `${memoryRate.toFixed(0)} MB/s (${of(memoryRate, loopback, 'loopback')}; ${rounds(memoryRounds)})`,
        );
        report(
          `kcat consume, ${size} fetch sizes`,
          `${brokerRate.toFixed(0)} MB/s (${((brokerRate * MB) / RECORD_BYTES).toFixed(0)} records/s, ${of(brokerRate, loopback, 'loopback')}, ${of(brokerRate, memoryRate, 'the ceiling')}; ${rounds(figures[size]!)})`,
        );
      }
      report('broker CPU per GB consumed (1 KiB records, all rounds)', `${consumePerGb.toFixed(2)} CPU-s/GB (${((consumePerGb / producePerGb) * 100).toFixed(0)}% of produce)`);

      const smallMs = await kcat(['-P', '-t', 'bench-small', '-l', '-X', 'acks=1', ...producerTuning, smallLines]);
      report(`kcat produce ${SMALL_RECORD_BYTES} B records, acks=1`, `${((SMALL_RECORDS / smallMs) * 1000).toFixed(0)} records/s`);
      const smallConsume: number[] = [];
      for (let round = 0; round < ROUNDS; round++) smallConsume.push(await consume(broker.address, 'bench-small', SMALL_RECORDS, []));
      report(`kcat consume ${SMALL_RECORD_BYTES} B records, default fetch sizes, median of ${ROUNDS}`, `${((SMALL_RECORDS / median(smallConsume)) * 1000).toFixed(0)} records/s`);

      const samples = await produceLatency(broker.port, 'bench-latency');
      const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!.toFixed(2);
      report('produce latency acks=-1, 1 KiB, one at a time', `p50 ${pct(50)} ms, p99 ${pct(99)} ms (${samples.length} requests)`);
    } finally {
      await broker.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`\n| measurement | result |\n| --- | --- |\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}`);
}

await main();
