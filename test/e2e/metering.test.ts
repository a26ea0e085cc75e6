import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp, ClusterSecrets } from '@fjord/control-plane';
import { openDatabase, type Database } from '@fjord/db';
import { createClient, type FjordClient } from '@fjord/sdk';
import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/control-plane.ts';
import { kcatSaslArgs, runKcat } from '../helpers/kcat.ts';

const SAMPLE_MS = 200;

/** Record-batch bytes the broker stored for a topic: the sum of its partitions' log files, counted by the test, not by metering. */
async function storedBytes(dataDir: string, topic: string): Promise<number> {
  let total = 0;
  for (const dir of (await readdir(dataDir)).filter((d) => d.startsWith(`${topic}-`))) {
    for (const file of (await readdir(path.join(dataDir, dir))).filter((f) => f.endsWith('.log'))) total += (await stat(path.join(dataDir, dir, file))).size;
  }
  return total;
}

/** Samples in the broker's spool, not yet acknowledged by the control plane. */
async function spooled(dataDir: string): Promise<{ metric: string; quantity: string; end: string }[]> {
  const dir = path.join(dataDir, 'usage-spool');
  const names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.json'));
  return (await Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(dir, n), 'utf8').catch(() => '[]'))))).flat();
}

// A real broker process metering kcat's traffic into the real control plane (buildApp on PGlite), which
// this test stops and starts again on the same port and database.
describe('usage metering end to end', () => {
  let dataDir: string;
  let db: Database;
  let app: FastifyInstance;
  let port: number;
  let api: FjordClient;
  let broker: TestBroker;
  let clusterId: string;
  let key: { key: string; secret: string };
  const secrets = new ClusterSecrets(randomBytes(32));

  const startControlPlane = async () => {
    app = await buildApp({ prisma: db.prisma, clusterSecrets: secrets });
    await app.listen({ host: '127.0.0.1', port: port ?? 0 });
    port = (app.server.address() as AddressInfo).port;
  };
  const totals = async (topic?: string) => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const { items } = await api.usage.get({ clusterId, from, to, granularity: 'day', groupBy: 'topic' });
    const sum = (dimension: string) => items.filter((i) => i.dimension === dimension && (topic === undefined || i.topic === topic)).reduce((s, i) => s + Number(i.quantity), 0);
    return { ingress: sum('ingress_bytes'), egress: sum('egress_bytes'), items };
  };
  const produce = async (topic: string, messages: number, size: number) => {
    const lines = Array.from({ length: messages }, (_, i) => `${i}`.padStart(size, 'x')).join('\n') + '\n';
    const res = await runKcat(['-P', '-b', broker.address, ...kcatSaslArgs({ username: key.key, password: key.secret }), '-t', topic, '-X', 'compression.codec=none', '-X', 'linger.ms=5'], lines);
    expect(res.code, res.stderr).toBe(0);
    return messages * size;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-metering-'));
    db = await openDatabase({ memory: true });
    await db.migrate();
    await startControlPlane();
    api = createClient({ baseUrl: `http://127.0.0.1:${port}` });
    await api.signup({ email: `meter-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery staple', organizationName: 'Meter' });
    clusterId = (await api.clusters.create({ name: 'metered', plan: 'basic' })).id;
    broker = await startBroker({
      dataDir,
      auth: 'sasl_plain',
      clusterId,
      config: { controlPlane: { url: `http://127.0.0.1:${port}`, token: secrets.brokerToken(clusterId), retryMs: 100 }, metering: { sampleIntervalMs: SAMPLE_MS } },
    });
    key = await api.clusterApiKeys.create(clusterId, { description: 'kcat' });
    const kafka = new Kafka({ brokers: [broker.address], sasl: { mechanism: 'plain', username: key.key, password: key.secret }, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }, { topic: 'payments', numPartitions: 1 }, { topic: 'chaos', numPartitions: 1 }] });
    await admin.disconnect();
  });

  afterAll(async () => {
    await broker?.stop();
    await app?.close();
    await db?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('meters N bytes produced and consumed once with kcat within 1.3 N, per topic adding up, and prices them on the draft', async () => {
    const n = (await produce('orders', 200, 1000)) + (await produce('payments', 100, 1000));
    for (const [topic, messages] of [['orders', 200], ['payments', 100]] as const) {
      const consumed = await runKcat(['-C', '-b', broker.address, ...kcatSaslArgs({ username: key.key, password: key.secret }), '-t', topic, '-o', 'beginning', '-e', '-q']);
      expect(consumed.code, consumed.stderr).toBe(0);
      expect(consumed.stdout.trim().split('\n')).toHaveLength(messages);
    }

    const seen = await until('ingress and egress to be metered', async () => {
      const t = await totals();
      return t.ingress >= n && t.egress >= n ? t : undefined;
    }, 30_000);
    expect(seen.ingress).toBeLessThanOrEqual(1.3 * n);
    expect(seen.egress).toBeLessThanOrEqual(1.3 * n);
    // Exactly what the broker stored: every batch it took, once.
    expect(seen.ingress).toBe((await storedBytes(dataDir, 'orders')) + (await storedBytes(dataDir, 'payments')));
    const orders = await totals('orders');
    const payments = await totals('payments');
    expect(orders.ingress + payments.ingress).toBe(seen.ingress);
    expect(orders.egress + payments.egress).toBe(seen.egress);
    expect(orders.ingress).toBeGreaterThanOrEqual(200_000);

    const { items } = await api.invoices.list();
    const draft = items.find((i) => i.status === 'draft')!;
    const ingress = draft.lines.find((l) => l.clusterId === clusterId && l.dimension === 'ingress_bytes');
    expect(ingress?.amount).toBeGreaterThan(0);
    expect(draft.lines.find((l) => l.clusterId === clusterId && l.dimension === 'egress_bytes')?.amount).toBeGreaterThan(0);
    expect(draft.total).toBe(draft.lines.reduce((s, l) => s + l.amount, 0));
  });

  it('loses and doubles nothing across a kill -9 with unsent samples and a 30 s control-plane outage during traffic', async () => {
    const before = (await totals('chaos')).ingress;
    expect(before).toBe(0);
    await app.close();
    const outageStarted = Date.now();

    await produce('chaos', 50, 1000);
    const producedAt = new Date().toISOString();
    // A sample tick after the traffic has spooled all of it, and the broker could not send it: now it dies.
    const spooledSince = async (at: string) => ((await spooled(dataDir)).some((s) => s.end > at) ? true : undefined);
    await until('the produced bytes to be spooled', () => spooledSince(producedAt), 10_000, 50);
    expect((await spooled(dataDir)).some((s) => s.metric === 'ingress_bytes')).toBe(true);
    await broker.kill9();
    await broker.restart();

    // Traffic goes on while the control plane stays away.
    while (Date.now() - outageStarted < 25_000) {
      await produce('chaos', 20, 1000);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const lastAt = new Date().toISOString();
    await until('the last traffic to be spooled', () => spooledSince(lastAt), 10_000, 50);
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - outageStarted))));
    await startControlPlane();

    const expected = await storedBytes(dataDir, 'chaos');
    await until('the spooled samples to arrive', async () => ((await totals('chaos')).ingress >= expected ? true : undefined), 30_000);
    await until('the spool to empty', async () => ((await spooled(dataDir)).length === 0 ? true : undefined), 10_000);
    expect((await totals('chaos')).ingress).toBe(expected);
    const rows = await db.prisma.usageRecord.count({ where: { clusterId, dimension: 'ingress_bytes', topic: 'chaos' } });
    expect(rows).toBeGreaterThan(0);
  }, 120_000);
});
