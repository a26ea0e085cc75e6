import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp, ClusterSecrets } from '@fjord/control-plane';
import { openDatabase, type Database } from '@fjord/db';
import { createObjectStore, type ObjectStore } from '@fjord/object-store';
import { createClient, type FjordClient } from '@fjord/sdk';
import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/control-plane.ts';
import { numberedLines, remoteLogBytes } from '../helpers/tiering.ts';

const SAMPLE_MS = 200;
const HOUR_MS = 3_600_000;

// A Standard cluster's broker (a real process) tiers into a filesystem store and meters into the real
// control plane (buildApp on PGlite): remote bytes become cold storage, billed as storage_cold_byte_hours.
describe('cold storage metering', () => {
  let dataDir: string;
  let root: string;
  let store: ObjectStore;
  let db: Database;
  let app: FastifyInstance;
  let api: FjordClient;
  let broker: TestBroker;
  let clusterId: string;
  let kafka: Kafka;
  const secrets = new ClusterSecrets(randomBytes(32));

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-cold-meter-'));
    root = await mkdtemp(path.join(tmpdir(), 'fjord-cold-objects-'));
    store = createObjectStore({ kind: 'fs', root });
    db = await openDatabase({ memory: true });
    await db.migrate();
    app = await buildApp({ prisma: db.prisma, clusterSecrets: secrets });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    api = createClient({ baseUrl: url });
    await api.signup({ email: `cold-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery staple', organizationName: 'Cold' });
    clusterId = (await api.clusters.create({ name: 'tiered', plan: 'standard' })).id;
    broker = await startBroker({
      dataDir,
      auth: 'sasl_plain',
      clusterId,
      config: {
        controlPlane: { url, token: secrets.brokerToken(clusterId), retryMs: 100 },
        metering: { sampleIntervalMs: SAMPLE_MS },
        // The policy (enabled on Standard, the cluster's prefix) comes from the control plane.
        tiering: { objectStore: { kind: 'fs', root }, intervalMs: 200, retryMs: 200 },
      },
    });
    const key = await api.clusterApiKeys.create(clusterId, { description: 'kafkajs' });
    kafka = new Kafka({ brokers: [broker.address], sasl: { mechanism: 'plain', username: key.key, password: key.secret }, logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await broker?.stop();
    await app?.close();
    await db?.close();
    await store?.close();
    for (const dir of [dataDir, root]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('bills the remote bytes of a tiered topic as storage_cold_byte_hours, and none for a topic kept local', async () => {
    const createdAt = Date.now();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          { topic: 'cold', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: String(256 * 1024) }, { name: 'local.retention.bytes', value: '1' }] },
          { topic: 'hot', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: String(256 * 1024) }, { name: 'remote.storage.enable', value: 'false' }] },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const lines = numberedLines(1_500);
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (const topic of ['cold', 'hot']) {
        for (let i = 0; i < lines.length; i += 50) await producer.send({ topic, acks: -1, messages: lines.slice(i, i + 50).map((value) => ({ value })) });
      }
    } finally {
      await producer.disconnect();
    }
    const remote = await until('the cold topic to be tiered', async () => {
      const bytes = await remoteLogBytes(store, `clusters/${clusterId}/cold/`);
      return bytes > 1024 * 1024 ? bytes : undefined;
    }, 20_000);

    const usage = async (topic: string, dimension: string) => {
      const { items } = await api.usage.get({
        clusterId,
        from: new Date(Date.now() - HOUR_MS).toISOString(),
        to: new Date(Date.now() + HOUR_MS).toISOString(),
        granularity: 'day',
        groupBy: 'topic',
      });
      return items.filter((i) => i.topic === topic && i.dimension === dimension).reduce((s, i) => s + Number(i.quantity), 0);
    };
    // A few sample intervals of cold storage, reported to the control plane.
    const cold = await until('cold byte-hours to be reported', async () => {
      const q = await usage('cold', 'storage_cold_byte_hours');
      return q > (remote * 3 * SAMPLE_MS) / HOUR_MS ? q : undefined;
    }, 15_000);
    // At most what the store holds now over the whole time the topic has existed (its remote bytes only grew).
    const held = await remoteLogBytes(store, `clusters/${clusterId}/cold/`);
    expect(cold).toBeLessThanOrEqual((held * (Date.now() - createdAt)) / HOUR_MS);
    expect(await usage('hot', 'storage_hot_byte_hours')).toBeGreaterThan(0);
    expect(await usage('hot', 'storage_cold_byte_hours')).toBe(0);
  });
});
