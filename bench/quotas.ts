/**
 * Produce quotas, measured with kcat against a real broker that takes its quotas from the real
 * control plane (buildApp on PGlite):
 *   - the throttled rate against an ingress quota of 1, 5 and 50 MiB/s (kcat producing 12 s worth
 *     of the quota; the rate is taken over the whole run, start-up included)
 *   - produce throughput with quotas enforced but not reached (the cluster's and the key's, far
 *     above what kcat reaches) against the same build with no quota configured, runs alternated
 *     (BENCH_MB each, default 256; BENCH_RUNS pairs, default 3), logs not fsynced so the disk's
 *     drift does not hide the broker's own cost; and the quota check alone, timed in-process
 * Run: `node --import tsx bench/quotas.ts`. Prints a table; not part of `npm test`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { makeCredential, startBroker, type TestBroker } from '../test/helpers/broker.ts';
import { listeningControlPlane } from '../test/helpers/control-plane-app.ts';
import { kcatSaslArgs } from '../test/helpers/kcat.ts';
import { ByteRateQuotas } from '../apps/broker/src/quotas/byte-rate-quotas.ts';

const MiB = 1024 * 1024;
const VOLUME_MB = Number(process.env.BENCH_MB ?? 256);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const RECORD = `${'x'.repeat(1023)}\n`;

function kcatProduce(args: string[], file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('sh', ['-c', `kcat ${args.map((a) => `'${a}'`).join(' ')} < '${file}'`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => (code === 0 && !stderr.includes('Delivery failed') ? resolve(performance.now() - start) : reject(new Error(`kcat exited ${code}: ${stderr.slice(0, 500)}`))));
  });
}

async function createTopic(broker: TestBroker, username: string, password: string, topic: string): Promise<void> {
  const admin = new Kafka({ brokers: [broker.address], sasl: { mechanism: 'plain', username, password }, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic }] });
  await admin.disconnect();
}

/** A file of `bytes` of 1 KiB lines, written a MiB at a time (the largest volumes exceed a string's limit). */
async function writeRecords(file: string, bytes: number): Promise<number> {
  const chunk = Buffer.from(RECORD.repeat(1024));
  const handle = await open(file, 'w');
  let written = 0;
  try {
    for (; written + chunk.length <= bytes; written += chunk.length) await handle.write(chunk);
  } finally {
    await handle.close();
  }
  return written;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rows: string[] = [];
const report = (name: string, value: string) => {
  rows.push(`| ${name} | ${value} |`);
  console.error(`${name}: ${value}`);
};

const work = await mkdtemp(path.join(tmpdir(), 'fjord-bench-quotas-'));
const cp = await listeningControlPlane();
// The dedicated plan's ceiling (250 MB/s) is above every quota set here.
await cp.prisma.cluster.update({ where: { id: cp.clusterId }, data: { plan: 'dedicated' } });
const key = await cp.api.clusterApiKeys.create(cp.clusterId, { description: 'bench' });
const log = { flush: 'none' };
const quoted = await startBroker({ auth: 'sasl_plain', clusterId: cp.clusterId, config: { controlPlane: { url: cp.url, token: cp.brokerToken }, log } });
const plain = await startBroker({ auth: 'sasl_plain', credentials: [makeCredential(key.key, key.secret)], config: { log } });
const sasl = kcatSaslArgs({ username: key.key, password: key.secret });

async function setQuotas(quotaOverrides: Record<string, number>, keyIngress: number | null): Promise<void> {
  await cp.prisma.clusterApiKey.update({ where: { key: key.key }, data: { ingressBytesPerSecond: keyIngress } });
  const { configVersion } = await cp.prisma.cluster.update({ where: { id: cp.clusterId }, data: { quotaOverrides, configVersion: { increment: 1 } } });
  const deadline = Date.now() + 5_000;
  while (!quoted.logs.some((l) => l.msg === 'cluster config applied' && Number(l.version) >= configVersion)) {
    if (Date.now() > deadline) throw new Error(`config version ${configVersion} not applied`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

try {
  for (const quotaMiB of [1, 5, 50]) {
    const file = path.join(work, `throttled-${quotaMiB}.txt`);
    const bytes = await writeRecords(file, quotaMiB * MiB * 12);
    const topic = `throttled-${quotaMiB}`;
    await createTopic(quoted, key.key, key.secret, topic);
    await setQuotas({ ingressBytesPerSecond: quotaMiB * MiB }, null);
    const ms = await kcatProduce(['-b', quoted.address, ...sasl, '-P', '-t', topic, '-X', 'linger.ms=5', '-X', 'batch.size=100000'], file);
    const rate = bytes / MiB / (ms / 1000);
    report(`ingress quota ${quotaMiB} MiB/s: kcat produced`, `${rate.toFixed(2)} MiB/s (${(rate / quotaMiB).toFixed(2)}x)`);
    await rm(file);
  }

  // Enforced but not reached: the cluster's quota and the key's own, both checked on every request.
  await setQuotas({ ingressBytesPerSecond: 200 * MiB }, 200 * MiB);
  const file = path.join(work, 'volume.txt');
  await writeRecords(file, VOLUME_MB * MiB);
  const enforced: number[] = [];
  const none: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (const [broker, out] of [[quoted, enforced], [plain, none]] as const) {
      const topic = `volume-${run}`;
      await createTopic(broker, key.key, key.secret, topic);
      const ms = await kcatProduce(['-b', broker.address, ...sasl, '-P', '-t', topic, '-X', 'linger.ms=5'], file);
      out.push(VOLUME_MB / (ms / 1000));
    }
  }
  const cost = (1 - median(enforced) / median(none)) * 100;
  // The same check in-process, alone: what each produce request pays for its two windows (cluster and key).
  const quotas = new ByteRateQuotas({ samples: 11, sampleMs: 1000 });
  quotas.update({ ingressBytesPerSecond: 1e15, egressBytesPerSecond: 1e15 }, { keys: { [key.key]: { ingressBytesPerSecond: 1e15 } } });
  const calls = 2_000_000;
  let sink = 0;
  const start = performance.now();
  for (let i = 0; i < calls; i++) sink += quotas.ingress.record(key.key, 16_384, Date.now());
  const nsPerCall = ((performance.now() - start) * 1e6) / calls;
  report('quota check per produce request (in-process)', `${nsPerCall.toFixed(0)} ns${sink === 0 ? '' : ' (throttled?)'}`);
  report(`produce ${VOLUME_MB} MB, quotas enforced, not reached`, `${median(enforced).toFixed(0)} MiB/s (runs: ${enforced.map((r) => r.toFixed(0)).join(', ')})`);
  report(`produce ${VOLUME_MB} MB, no quotas`, `${median(none).toFixed(0)} MiB/s (runs: ${none.map((r) => r.toFixed(0)).join(', ')})`);
  report('cost of enforcing quotas (medians)', `${cost.toFixed(1)}%`);
} finally {
  await quoted.stop();
  await plain.stop();
  await cp.close();
  await rm(work, { recursive: true, force: true });
}
console.log(['| measurement | figure |', '| --- | --- |', ...rows].join('\n'));
