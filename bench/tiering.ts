/**
 * Tiered storage throughput, in one run, on the filesystem store (BENCH_STORE=s3: fauxqs over HTTP):
 *   - kcat produce (1 KiB records, acks=all) into a tiered topic, next to the upload rate of the
 *     tiering agent over the same run (from the first byte produced until everything but the active
 *     segment is remote): the goal is that tiering keeps pace
 *   - kcat consume from offset 0 of the tiered topic (nearly all of it remote) next to the same
 *     consume of an untiered topic (all local): the goal is remote >= 50% of local on the fs store
 * Run: `node --import tsx bench/tiering.ts` (BENCH_MB=256 sets the volume). Prints a table; not part of `npm test`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFauxqs } from 'fauxqs';
import { Kafka, logLevel } from 'kafkajs';
import { createObjectStore, type ObjectStore } from '@fjord/object-store';
import { startBroker } from '../test/helpers/broker.ts';
import { CLUSTER_PREFIX, localSegments, numberedLines, partitionPrefix, remoteLogBytes } from '../test/helpers/tiering.ts';

const MB = 1024 * 1024;
const VOLUME_MB = Number(process.env.BENCH_MB ?? 256);
const SEGMENT_BYTES = 16 * MB;
const RECORDS = VOLUME_MB * 1024;
const USE_S3 = process.env.BENCH_STORE === 's3';

const rate = (bytes: number, ms: number) => bytes / MB / (ms / 1000);
const rows: [string, string][] = [];
const report = (name: string, value: string) => {
  rows.push([name, value]);
  console.error(`${name}: ${value}`);
};

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

async function main(): Promise<void> {
  execFileSync(process.execPath, [path.join(import.meta.dirname, '../apps/broker/scripts/build.mjs')], { stdio: 'ignore' });
  const dir = await mkdtemp(path.join(tmpdir(), 'fjord-bench-tiering-'));
  let fauxqs: Awaited<ReturnType<typeof startFauxqs>> | undefined;
  let store: ObjectStore;
  let brokerStore: Record<string, unknown>;
  if (USE_S3) {
    fauxqs = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
    fauxqs.createBucket('bench');
    const endpoint = `http://127.0.0.1:${fauxqs.port}`;
    process.env.AWS_ACCESS_KEY_ID = 'bench';
    process.env.AWS_SECRET_ACCESS_KEY = 'bench';
    store = createObjectStore({ kind: 's3', bucket: 'bench', region: 'us-east-1', endpoint, forcePathStyle: true });
    brokerStore = { kind: 's3', bucket: 'bench', region: 'us-east-1', endpoint, forcePathStyle: true };
  } else {
    const root = path.join(dir, 'objects');
    store = createObjectStore({ kind: 'fs', root });
    brokerStore = { kind: 'fs', root };
  }
  const broker = await startBroker({
    dataDir: path.join(dir, 'data'),
    config: {
      tiering: { objectStore: brokerStore, policy: { enabled: true, localRetentionMs: 86_400_000, prefix: CLUSTER_PREFIX }, intervalMs: 100 },
    },
  });
  try {
    const lines = path.join(dir, 'lines.txt');
    await writeFile(lines, `${numberedLines(RECORDS).join('\n')}\n`);
    const bytes = RECORDS * 1024;
    const admin = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const segment = { name: 'segment.bytes', value: String(SEGMENT_BYTES) };
    await admin.createTopics({
      topics: [
        { topic: 'tiered', numPartitions: 1, configEntries: [segment, { name: 'local.retention.bytes', value: String(SEGMENT_BYTES) }] },
        { topic: 'local', numPartitions: 1, configEntries: [segment, { name: 'remote.storage.enable', value: 'false' }] },
      ],
    });
    await admin.disconnect();
    const kcat = (args: string[]) => run('kcat', ['-b', broker.address, ...args]);
    const producerTuning = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'queue.buffering.max.kbytes=1048576', '-X', 'acks=all'];

    const prefix = await partitionPrefix(broker, 'tiered', 0);
    const started = performance.now();
    const produceMs = await kcat(['-P', '-t', 'tiered', '-p', '0', '-l', ...producerTuning, lines]);
    const dataDir = path.join(broker.dataDir, 'tiered-0');
    // Everything but the active segment is due for upload.
    let remote = 0;
    for (;;) {
      remote = await remoteLogBytes(store, prefix);
      const local = await localSegments(dataDir);
      if (local.bases.length <= 2 && remote >= bytes - 2 * SEGMENT_BYTES) break;
      if (performance.now() - started > 600_000) throw new Error('tiering did not catch up in 10 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    const caughtUpMs = performance.now() - started;
    report('kcat produce acks=-1 into a tiered topic', `${rate(bytes, produceMs).toFixed(0)} MB/s (${VOLUME_MB} MB)`);
    report(
      `upload to the ${USE_S3 ? 'S3 (fauxqs)' : 'filesystem'} store over the same run`,
      `${rate(remote, caughtUpMs).toFixed(0)} MB/s (${(remote / MB).toFixed(0)} MB remote; caught up ${((caughtUpMs - produceMs) / 1000).toFixed(1)} s after produce ended)`,
    );

    await kcat(['-P', '-t', 'local', '-p', '0', '-l', ...producerTuning, lines]);
    const consume = (topic: string) =>
      kcat(['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-c', String(RECORDS), '-X', 'fetch.max.bytes=52428800']);
    const localMs = await consume('local');
    const remoteMs = await consume('tiered');
    const localRate = rate(bytes, localMs);
    const remoteRate = rate(bytes, remoteMs);
    report('kcat consume from offset 0, all local', `${localRate.toFixed(0)} MB/s`);
    report(
      'kcat consume from offset 0, tiered (local start at the last segments)',
      `${remoteRate.toFixed(0)} MB/s (${((remoteRate / localRate) * 100).toFixed(0)}% of local)`,
    );
  } finally {
    await broker.stop();
    await store.close();
    await fauxqs?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`\n| measurement | result |\n| --- | --- |\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}`);
}

await main();
