/**
 * Broker throughput and latency next to the machine's own limits, in one run:
 *   - dd: sequential write of the same volume to the broker's disk (one fdatasync at the end), right
 *     before each produce run, since this disk's speed drifts with its writeback state
 *   - loopback: the same volume through a local TCP connection (Node, discard on receipt)
 *   - kcat produce (1 KiB records) with acks=all and acks=1, then kcat consume of everything
 *   - the client's ceiling: the same kcat produce to a broker that never fsyncs
 *   - produce latency: one 1 KiB record per request, acks=-1, one request at a time (p50/p99)
 * Run: `node --import tsx bench/broker.ts` (BENCH_MB=256 sets the volume). Prints a table; not part of `npm test`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, encodeRecordBatch, encodeRequestFrame } from '@fjord/kafka-protocol';
import { startBroker } from '../test/helpers/broker.ts';
import { RawKafkaClient } from '../test/helpers/raw-kafka-client.ts';

const MB = 1024 * 1024;
const VOLUME_MB = Number(process.env.BENCH_MB ?? 256);
const RECORD_BYTES = 1024;
const RECORDS = Math.floor((VOLUME_MB * MB) / RECORD_BYTES);
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

async function writeLines(file: string): Promise<void> {
  const out = createWriteStream(file);
  const filler = 'x'.repeat(RECORD_BYTES - 12);
  for (let i = 0; i < RECORDS; i++) {
    if (!out.write(`${String(i).padStart(10, '0')}-${filler}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
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
    report('loopback TCP copy (node)', `${rate(bytes, await loopbackCopy(bytes)).toFixed(0)} MB/s`);

    const lines = path.join(dir, 'lines.txt');
    await writeLines(lines);
    const broker = await startBroker({ dataDir });
    try {
      const admin = await RawKafkaClient.connect(broker.port);
      await admin.request(Api.CreateTopics, 5, {
        topics: ['bench-all', 'bench-one', 'bench-latency'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
        timeoutMs: 5000,
        validateOnly: false,
      });
      admin.close();
      const kcat = (args: string[]) => run('kcat', ['-b', broker.address, ...args]);
      const producerTuning = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'queue.buffering.max.kbytes=1048576'];
      for (const [topic, acks] of [['bench-all', 'all'], ['bench-one', '1']] as const) {
        // The disk's speed drifts with its writeback state, so each produce run is paired with a dd
        // of the same volume just before it, both starting from a clean page cache.
        const dd = ddWrite(dir, bytes);
        const ms = await kcat(['-P', '-t', topic, '-l', '-X', `acks=${acks}`, ...producerTuning, lines]);
        const produce = rate(bytes, ms);
        report(`dd sequential write before acks=${acks === 'all' ? '-1' : acks} run (conv=fdatasync)`, `${dd.toFixed(0)} MB/s`);
        report(
          `kcat produce acks=${acks === 'all' ? '-1' : acks}`,
          `${produce.toFixed(0)} MB/s (${((RECORDS / ms) * 1000).toFixed(0)} records/s, ${((produce / dd) * 100).toFixed(0)}% of dd)`,
        );
      }
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

      const consumeMs = await kcat(['-C', '-t', 'bench-all', '-o', 'beginning', '-e', '-q', '-c', String(RECORDS), '-X', 'fetch.max.bytes=52428800']);
      report('kcat consume', `${rate(bytes, consumeMs).toFixed(0)} MB/s (${((RECORDS / consumeMs) * 1000).toFixed(0)} records/s)`);

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
