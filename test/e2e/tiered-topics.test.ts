import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsObjectStore } from '@fjord/object-store';
import { createClient, type FjordClient } from '@fjord/sdk';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startControlPlane, type RunningControlPlane } from '../../apps/control-plane/test/process.ts';
import { killLeftoverBrokers, problemOf, until } from '../helpers/control-plane.ts';
import { numberedLines, remoteLogBytes } from '../helpers/tiering.ts';

const password = 'correct horse battery staple';
const MiB = 1024 * 1024;

// A Standard cluster made through `npm start`'s control plane tiers into the embedded filesystem store
// (FJORD_DATA_DIR/objects), and the topic API reports what is where: the brokers' local bytes and
// local log start (ListOffsets -4), and the remote bytes the control plane sums from the store.
describe('tiered topics end to end', () => {
  let dataDir: string;
  let cp: RunningControlPlane;
  let api: FjordClient;
  let clusterId: string;
  let kafka: Kafka;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-tiered-'));
    cp = await startControlPlane([process.execPath, '--import', 'tsx', 'apps/control-plane/src/main.ts'], {
      cwd: repoRoot,
      env: { FJORD_DATA_DIR: dataDir },
    });
    api = createClient({ baseUrl: cp.url });
    await api.signup({ email: `tiered-${Date.now()}@example.com`, password, organizationName: 'E2E Tiered' });
    clusterId = (await api.clusters.create({ name: 'e2e-tiered', plan: 'standard' })).id;
    const running = (await api.clusters.waitFor(clusterId, 'RUNNING', { timeoutMs: 60_000 }))!;
    const key = await api.clusterApiKeys.create(clusterId, { description: 'e2e tiered' });
    kafka = new Kafka({
      clientId: 'e2e-tiered',
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

  it('reports localBytes, remoteBytes, logStartOffset and localLogStartOffset of a tiered partition', async () => {
    await api.topics.create(clusterId, {
      name: 'tiered',
      partitions: 1,
      configs: { 'segment.bytes': String(MiB), 'local.retention.bytes': String(MiB) },
    });
    const lines = numberedLines(6_000);
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (let i = 0; i < lines.length; i += 500) {
        await producer.send({ topic: 'tiered', acks: -1, messages: lines.slice(i, i + 500).map((value) => ({ value })) });
      }
    } finally {
      await producer.disconnect();
    }

    const store = new FsObjectStore(path.join(dataDir, 'objects'));
    try {
      // Tiering runs every few seconds; wait until the API and the store agree on a settled state.
      const { partition, stored } = await until(
        'the partition to be tiered and reported',
        async () => {
          const [p] = (await api.topics.get(clusterId, 'tiered')).partitions;
          const stored = await remoteLogBytes(store, `clusters/${clusterId}/tiered/`);
          return p.remoteBytes > 3 * MiB && p.localBytes < 3 * MiB && p.remoteBytes === stored ? { partition: p, stored } : undefined;
        },
        30_000,
      );
      expect(partition.logStartOffset).toBe(0);
      expect(partition.highWatermark).toBe(6_000);
      expect(partition.remoteBytes).toBe(stored);
      // The local log starts where the remote segments end, well past the log start.
      expect(partition.localLogStartOffset).toBeGreaterThan(2_000);
      expect(partition.localLogStartOffset).toBeLessThan(6_000);
      // Every byte is on one side or both (closed segments are uploaded at once and stay local up to
      // local.retention.bytes); a record takes about 1 KiB plus batch overhead.
      expect(partition.localBytes + partition.remoteBytes).toBeGreaterThan(6_000 * 1_023);
      expect(partition.remoteBytes).toBeLessThan(6_000 * 1_100);
    } finally {
      await store.close();
    }
  });
});
