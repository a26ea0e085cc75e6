import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type FjordClient } from '@fjord/sdk';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startControlPlane, type RunningControlPlane } from '../../apps/control-plane/test/process.ts';
import { killLeftoverBrokers, problemOf, until } from '../helpers/control-plane.ts';

const password = 'correct horse battery staple';

// The whole path: `npm start`'s control plane provisions a broker, kafkajs talks to the broker
// directly, and the topic endpoints see and change the same topics over the Kafka Admin protocol.
describe('topics end to end', () => {
  let dataDir: string;
  let cp: RunningControlPlane;
  let api: FjordClient;
  let clusterId: string;
  let kafka: Kafka;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-topics-'));
    cp = await startControlPlane([process.execPath, '--import', 'tsx', 'apps/control-plane/src/main.ts'], {
      cwd: repoRoot,
      env: { FJORD_DATA_DIR: dataDir },
    });
    api = createClient({ baseUrl: cp.url });
    await api.signup({ email: `topics-${Date.now()}@example.com`, password, organizationName: 'E2E Topics' });
    const cluster = await api.clusters.create({ name: 'e2e-topics', plan: 'basic' });
    clusterId = cluster.id;
    const running = (await api.clusters.waitFor(clusterId, 'RUNNING', { timeoutMs: 60_000 }))!;
    const key = await api.clusterApiKeys.create(clusterId, { description: 'e2e kafkajs' });
    kafka = new Kafka({
      clientId: 'e2e-topics',
      brokers: running.bootstrapServers.split(','),
      ssl: { ca: [await api.clusters.caPem(clusterId)] },
      sasl: { mechanism: 'plain', username: key.key, password: key.secret },
      logLevel: logLevel.NOTHING,
    });
  }, 120_000);

  afterAll(async () => {
    if (clusterId) {
      await api.clusters.delete(clusterId).catch(() => undefined);
      await until('the cluster to be gone', async () => ((await problemOf(api.clusters.get(clusterId)).catch(() => undefined))?.status === 404 ? true : undefined)).catch(() => undefined);
    }
    await cp?.stop();
    await killLeftoverBrokers(dataDir);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("shows a topic made with kafkajs's own admin, with offsets and sizes after producing", async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'made-by-kafkajs', numPartitions: 3 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'made-by-kafkajs', messages: Array.from({ length: 50 }, (_, i) => ({ partition: i % 3, value: `order-${i}` })) });
    await producer.disconnect();

    // And reads them back, over the same SASL_SSL connection settings.
    const consumer = kafka.consumer({ groupId: 'e2e-topics-reader' });
    const read: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'made-by-kafkajs', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void read.push(String(message.value)) });
      await until('kafkajs to read the 50 records back', () => (read.length >= 50 ? true : undefined), 30_000);
    } finally {
      await consumer.disconnect();
    }
    expect(read.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `order-${i}`).sort());

    const page = await api.topics.list(clusterId);
    const topic = page.items.find((t) => t.name === 'made-by-kafkajs');
    expect(topic).toBeDefined();
    expect(topic!.partitions.map((p) => [p.partition, p.logStartOffset, p.highWatermark, p.remoteBytes])).toEqual([
      [0, 0, 17, 0],
      [1, 0, 17, 0],
      [2, 0, 16, 0],
    ]);
    for (const p of topic!.partitions) expect(p.localBytes).toBeGreaterThan(p.highWatermark * 7);
    expect(await api.topics.get(clusterId, 'made-by-kafkajs')).toEqual(topic);
  });

  it('PATCH raises partitions and changes retention.ms, as kafkajs sees it', async () => {
    const created = await api.topics.create(clusterId, { name: 'orders', partitions: 2, configs: { 'retention.ms': '86400000' } });
    expect(created).toMatchObject({ name: 'orders', replicationFactor: 1, configs: { 'retention.ms': '86400000' } });
    const updated = await api.topics.update(clusterId, 'orders', { partitions: 4, configs: { 'retention.ms': 3_600_000 } });
    expect(updated.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    expect(updated.configs).toEqual({ 'retention.ms': '3600000' });

    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: ['orders'] });
      expect(metadata.topics[0].partitions).toHaveLength(4);
      const described = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configNames: ['retention.ms'] }],
        includeSynonyms: false,
      });
      expect(described.resources[0].configEntries.find((c) => c.configName === 'retention.ms')?.configValue).toBe('3600000');
    } finally {
      await admin.disconnect();
    }

    await api.topics.delete(clusterId, 'orders');
    expect((await problemOf(api.topics.get(clusterId, 'orders'))).status).toBe(404);
  });

  it('refuses bad names and configs with 400 naming the field; the cluster has the final word', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'no spaces', partitions: 1 }, 'name'],
      [{ name: 'ok', partitions: 1, configs: { 'retention.ms': 'forever' } }, 'configs.retention.ms'],
      [{ name: 'ok', partitions: 1, configs: { 'not.a.config': '1' } }, 'configs.not.a.config'],
      // Allowed by Kafka's bounds, refused by this cluster (one broker): the broker's answer, mapped.
      [{ name: 'ok', partitions: 1, replicationFactor: 3 }, 'replicationFactor'],
    ];
    for (const [body, field] of cases) {
      const res = await fetch(`${cp.url}/v1/clusters/${clusterId}/topics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `fjord_session=${api.session}` },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { type: string; errors: { field: string }[] };
      expect(problem.type).toBe('https://fjord.dev/problems/validation');
      expect(problem.errors.map((e) => e.field)).toEqual([field]);
    }
    expect((await problemOf(api.topics.create(clusterId, { name: 'made-by-kafkajs', partitions: 1 }))).status).toBe(409);
  });

  it("refuses, through the REST API, a topic beyond the cluster's partition limit lowered through the API, naming it", async () => {
    const inUse = (await api.topics.list(clusterId, { limit: 100 })).items.reduce((n, t) => n + t.partitions.length, 0);
    await api.clusters.updateQuotas(clusterId, { maxPartitions: inUse + 2 });
    try {
      const res = await fetch(`${cp.url}/v1/clusters/${clusterId}/topics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `fjord_session=${api.session}` },
        body: JSON.stringify({ name: 'too-wide', partitions: 3 }),
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { type: string; detail: string; errors: { field: string }[] };
      expect(problem.type).toBe('https://fjord.dev/problems/quota-exceeded');
      expect(problem.detail).toContain(`maxPartitions of ${inUse + 2}`);
      expect(problem.errors.map((e) => e.field)).toEqual(['partitions']);
      expect((await api.topics.create(clusterId, { name: 'fits', partitions: 2 })).partitions).toHaveLength(2);
      await api.topics.delete(clusterId, 'fits');
    } finally {
      await api.clusters.updateQuotas(clusterId, { maxPartitions: null });
    }
  });

  it("answers 404 for another organization's cluster", async () => {
    const other = createClient({ baseUrl: cp.url });
    await other.signup({ email: `other-${Date.now()}@example.com`, password, organizationName: 'Other' });
    expect((await problemOf(other.topics.list(clusterId))).status).toBe(404);
    expect((await problemOf(other.topics.get(clusterId, 'made-by-kafkajs'))).status).toBe(404);
    expect((await problemOf(other.topics.delete(clusterId, 'made-by-kafkajs'))).status).toBe(404);
    expect((await api.topics.get(clusterId, 'made-by-kafkajs')).name).toBe('made-by-kafkajs');
  });
});
