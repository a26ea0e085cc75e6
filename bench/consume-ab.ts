/**
 * Before/after of the read path in one run: kcat consumes the same partition log from brokers built
 * from different bundles, started in turn on one data dir, in alternating rounds; prints the median
 * MB/s and broker CPU-seconds per GB of each. Build the "before" bundle from another commit first:
 *   git stash / checkout <commit> && npm run build -w @fjord/broker && cp apps/broker/dist/main.js apps/broker/dist/main-before.js
 * Run: `node --import tsx bench/consume-ab.ts` (BENCH_BUNDLES="a.js b.js", default main-before.js and main.js
 * under apps/broker/dist; BENCH_MB=256, BENCH_ROUNDS=5, BENCH_PARTITIONS=1, BENCH_KCAT_X="max.partition.fetch.bytes=16777216"
 * for large fetch sizes). Not part of `npm test`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api } from '@fjord/kafka-protocol';
import { startBroker } from '../test/helpers/broker.ts';
import { RawKafkaClient } from '../test/helpers/raw-kafka-client.ts';

const MB = 1024 * 1024;
const RECORD_BYTES = 1024;
const RECORDS = Math.floor((Number(process.env.BENCH_MB ?? 256) * MB) / RECORD_BYTES);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 1);
const BUNDLES = (process.env.BENCH_BUNDLES ?? 'apps/broker/dist/main-before.js apps/broker/dist/main.js').split(' ');
const KCAT_X = (process.env.BENCH_KCAT_X ?? '').split(' ').filter(Boolean).flatMap((x) => ['-X', x]);
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString());

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A broker from `bundle` on the config file the helper wrote; resolves once it listens. */
async function startBundle(bundle: string, configFile: string) {
  const child = spawn(process.execPath, [bundle, '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${bundle} exited ${code}`)));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('broker listening') && resolve());
  });
  return child;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fjord-consume-ab-'));
  try {
    const lines = path.join(dir, 'lines.txt');
    const out = createWriteStream(lines);
    const filler = 'x'.repeat(RECORD_BYTES - 12);
    for (let i = 0; i < RECORDS; i++) {
      if (!out.write(`${String(i).padStart(10, '0')}-${filler}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise((resolve) => out.end(resolve));
    // The helper's broker writes the data (and a config file with a fixed port), then steps aside.
    const broker = await startBroker({ port: await freePort(), dataDir: path.join(dir, 'data') });
    const admin = await RawKafkaClient.connect(broker.port);
    await admin.request(Api.CreateTopics, 5, {
      topics: [{ name: 'ab', numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    admin.close();
    const producerTuning = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'queue.buffering.max.kbytes=1048576'];
    await run('kcat', ['-b', broker.address, '-P', '-t', 'ab', '-l', '-X', 'acks=all', ...producerTuning, lines]);
    await broker.shutdown();

    const figures = new Map(BUNDLES.map((b) => [b, { rates: [] as number[], cpu: [] as number[] }]));
    const bytes = RECORDS * RECORD_BYTES;
    for (let round = 0; round < ROUNDS; round++) {
      for (const bundle of BUNDLES) {
        const child = await startBundle(bundle, broker.configFile);
        const before = cpuSeconds(child.pid!);
        const ms = await run('kcat', ['-b', broker.address, '-C', '-t', 'ab', '-o', 'beginning', '-e', '-q', '-c', String(RECORDS), ...KCAT_X]);
        figures.get(bundle)!.rates.push(bytes / MB / (ms / 1000));
        figures.get(bundle)!.cpu.push((cpuSeconds(child.pid!) - before) / (bytes / 1e9));
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const list = (values: number[], digits: number) => values.map((v) => v.toFixed(digits)).join(', ');
    console.log(`\n| bundle (${PARTITIONS} partition(s), kcat ${KCAT_X.join(' ') || 'defaults'}) | consume MB/s | broker CPU-s/GB |\n| --- | --- | --- |`);
    for (const [bundle, { rates, cpu }] of figures) {
      console.log(`| ${path.basename(bundle)} | ${median(rates).toFixed(0)} (${list(rates, 0)}) | ${median(cpu).toFixed(2)} (${list(cpu, 2)}) |`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
