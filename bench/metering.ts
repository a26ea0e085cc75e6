/**
 * What metering costs, in one run:
 *   - produce throughput of a broker with metering on against one with it off (both pulling their
 *     config from the same control plane), kcat 1 KiB records acks=1, runs alternated on/off so the
 *     disk's drift hits both; the broker's defaults (BENCH_FLUSH=none and BENCH_SAMPLE_MS change the
 *     log's flush and the sampling interval); also the broker process's CPU time per MiB, which the
 *     machine's noise disturbs far less than throughput
 *   - samples per second the control plane ingests through POST /internal/usage (reports of 2,000
 *     samples, as brokers send them), one broker at a time and four at once, on PGlite and on
 *     PostgreSQL (when a server answers at 127.0.0.1:5432)
 * Run: `npx tsx bench/metering.ts` (BENCH_MB=128 sets the produce volume, BENCH_ROUNDS=3, BENCH_ONLY=produce|ingest). Not part of `npm test`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { internalPaths, type UsageSample } from '@fjord/broker-contract';
import { buildApp, ClusterSecrets } from '@fjord/control-plane';
import { testBackends } from '@fjord/db/testing';
import { Api } from '@fjord/kafka-protocol';
import { createClient } from '@fjord/sdk';
import { startBroker } from '../test/helpers/broker.ts';
import { RawKafkaClient } from '../test/helpers/raw-kafka-client.ts';

const MB = 1024 * 1024;
const VOLUME_MB = Number(process.env.BENCH_MB ?? 128);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RECORD_BYTES = 1024;
const RECORDS = Math.floor((VOLUME_MB * MB) / RECORD_BYTES);
const REPORT_SAMPLES = 2_000;
const REPORTS = Number(process.env.BENCH_REPORTS ?? 25);
/** The broker's defaults (fsync before acks, a sample every 5 s) unless told otherwise. */
const FLUSH = process.env.BENCH_FLUSH ?? 'every-write';
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 5_000);

/** CPU time (user + system, ms) a process has used, from /proc: far less noisy than throughput on a shared machine. */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function kcat(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('kcat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`kcat exited ${code}: ${stderr}`))));
  });
}

async function writeLines(file: string): Promise<void> {
  const out = createWriteStream(file);
  const filler = 'x'.repeat(RECORD_BYTES - 12);
  for (let i = 0; i < RECORDS; i++) {
    if (!out.write(`${String(i).padStart(10, '0')}-${filler}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function produceOnOff(dir: string): Promise<void> {
  const backend = (await testBackends())[0];
  const db = await backend.open();
  const secrets = new ClusterSecrets(randomBytes(32));
  const app = await buildApp({ prisma: db.prisma, clusterSecrets: secrets });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const api = createClient({ baseUrl: url });
  await api.signup({ email: `bench-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery staple', organizationName: 'Bench' });
  const lines = path.join(dir, 'lines.txt');
  await writeLines(lines);
  const brokers = [];
  try {
    for (const enabled of [true, false]) {
      const { id } = await api.clusters.create({ name: `bench-${enabled ? 'on' : 'off'}`, plan: 'dedicated' });
      brokers.push({
        enabled,
        broker: await startBroker({
          dataDir: path.join(dir, `data-${enabled ? 'on' : 'off'}`),
          clusterId: id,
          config: { controlPlane: { url, token: secrets.brokerToken(id) }, metering: { enabled, sampleIntervalMs: SAMPLE_MS }, log: { flush: FLUSH } },
        }),
      });
    }
    const rates: Record<string, number[]> = { on: [], off: [] };
    const cpuPerMiB: Record<string, number[]> = { on: [], off: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const { enabled, broker } of round % 2 === 0 ? brokers : [...brokers].reverse()) {
        const topic = `bench-${round}`;
        const admin = await RawKafkaClient.connect(broker.port);
        await admin.request(Api.CreateTopics, 5, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
        admin.close();
        const cpuBefore = await cpuMs(broker.process.pid!);
        const ms = await kcat(['-b', broker.address, '-P', '-t', topic, '-l', '-X', 'acks=1', '-X', 'linger.ms=5', '-X', 'compression.codec=none', lines]);
        const cpu = (await cpuMs(broker.process.pid!)) - cpuBefore;
        const mbs = (RECORDS * RECORD_BYTES) / MB / (ms / 1000);
        rates[enabled ? 'on' : 'off'].push(mbs);
        cpuPerMiB[enabled ? 'on' : 'off'].push(cpu / VOLUME_MB);
        console.error(`round ${round + 1} metering ${enabled ? 'on ' : 'off'}: ${mbs.toFixed(0)} MB/s, broker CPU ${(cpu / VOLUME_MB).toFixed(2)} ms/MiB`);
      }
    }
    const on = median(rates.on);
    const off = median(rates.off);
    // The disk and CPU are shared and drift: the pair of runs in one round is the fairest comparison.
    const pairCost = median(rates.on.map((r, i) => (1 - r / rates.off[i]) * 100));
    console.log(
      `produce, kcat 1 KiB records acks=1, log flush ${FLUSH}, a sample every ${SAMPLE_MS} ms, ${VOLUME_MB} MiB x ${ROUNDS} rounds: ` +
        `median metering off ${off.toFixed(0)} MB/s, on ${on.toFixed(0)} MB/s; median cost within a round ${pairCost.toFixed(1)}%; ` +
        `broker CPU per MiB (median) off ${median(cpuPerMiB.off).toFixed(2)} ms, on ${median(cpuPerMiB.on).toFixed(2)} ms (${((median(cpuPerMiB.on) / median(cpuPerMiB.off) - 1) * 100).toFixed(1)}%)`,
    );
  } finally {
    for (const { broker } of brokers) await broker.stop();
    await app.close();
    await db.close();
  }
}

async function ingest(): Promise<void> {
  for (const backend of await testBackends()) {
    const db = await backend.open();
    const secrets = new ClusterSecrets(randomBytes(32));
    const app = await buildApp({ prisma: db.prisma, clusterSecrets: secrets });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const api = createClient({ baseUrl: url });
    await api.signup({ email: `bench-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery staple', organizationName: 'Bench' });
    const clusters = await Promise.all([0, 1, 2, 3].map(async (i) => (await api.clusters.create({ name: `ingest-${i}`, plan: 'basic' })).id));
    const send = async (clusterId: string) => {
      const end = new Date().toISOString();
      const samples: UsageSample[] = Array.from({ length: REPORT_SAMPLES }, (_, i) => ({
        id: randomUUID(),
        clusterId,
        metric: i % 2 ? 'ingress_bytes' : 'egress_bytes',
        quantity: String(1000 + i),
        start: new Date(Date.now() - 5_000).toISOString(),
        end,
        topic: `topic-${i % 50}`,
        principal: `key-${i % 7}`,
      }));
      const res = await fetch(new URL(internalPaths.usage, url), {
        method: 'POST',
        headers: { authorization: `Bearer ${secrets.brokerToken(clusterId)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clusterId, nodeId: 0, samples }),
      });
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    };
    try {
      await send(clusters[0]);
      for (const parallel of [1, 4]) {
        const start = performance.now();
        await Promise.all(clusters.slice(0, parallel).map(async (c) => {
          for (let i = 0; i < REPORTS; i++) await send(c);
        }));
        const seconds = (performance.now() - start) / 1000;
        console.log(`ingest on ${backend.name}, ${parallel} broker(s) x ${REPORTS} reports of ${REPORT_SAMPLES} samples: ${((parallel * REPORTS * REPORT_SAMPLES) / seconds).toFixed(0)} samples/s`);
      }
    } finally {
      await app.close();
      await db.close();
    }
  }
}

const dir = await mkdtemp(path.join(tmpdir(), 'fjord-bench-metering-'));
try {
  if (process.env.BENCH_ONLY !== 'ingest') await produceOnOff(dir);
  if (process.env.BENCH_ONLY !== 'produce') await ingest();
} finally {
  await rm(dir, { recursive: true, force: true });
}
