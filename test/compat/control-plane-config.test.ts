import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { plans } from '@fjord/api';
import { Api } from '@fjord/kafka-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { listeningControlPlane, type ListeningControlPlane } from '../helpers/control-plane-app.ts';
import { until } from '../helpers/control-plane.ts';
import { kcatSaslArgs, runKcat } from '../helpers/kcat.ts';
import { RawKafkaClient } from '../helpers/raw-kafka-client.ts';
import { saslLogin } from '../helpers/sasl-login.ts';

// A real broker process taking its credentials from the real control plane (buildApp on PGlite).
describe('cluster API keys from the control plane', () => {
  let dataDir: string;
  let cp: ListeningControlPlane;
  let broker: TestBroker;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-cp-broker-'));
    cp = await listeningControlPlane();
    broker = await startBroker({
      dataDir,
      auth: 'sasl_plain',
      clusterId: cp.clusterId,
      config: { controlPlane: { url: cp.url, token: cp.brokerToken } },
    });
  });

  afterAll(async () => {
    await broker?.stop();
    await cp?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const list = (username: string, password: string) => runKcat(['-b', broker.address, ...kcatSaslArgs({ username, password }), '-L', '-m', '5']);

  it('accepts a key on the very first connection after it is created (no sleep, no retry)', async () => {
    const key = await cp.api.clusterApiKeys.create(cp.clusterId, { description: 'kcat at once' });
    const res = await list(key.key, key.secret);
    expect(res.stderr).not.toMatch(/Authentication failed/i);
    expect(res.code).toBe(0);
    expect((await list(key.key, 'not-the-secret')).code).not.toBe(0);
  });

  it('refuses a revoked key for new connections and closes its open connection within 1 s', async () => {
    const key = await cp.api.clusterApiKeys.create(cp.clusterId, { description: 'revoked' });
    const open = await saslLogin(broker.address, key.key, key.secret);
    expect(open.ok).toBe(true);
    const metadata = await open.client.request(Api.Metadata, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(metadata.brokers).toHaveLength(1);

    await cp.api.clusterApiKeys.delete(cp.clusterId, key.id);
    await until('the open connection of the revoked key to be closed', () => (open.client.isClosed ? true : undefined), 1_000, 10);
    await until('a new login with the revoked key to be refused', async () => {
      const login = await saslLogin(broker.address, key.key, key.secret);
      login.client.close();
      return login.ok ? undefined : true;
    }, 1_000, 10);
  });

  it('caps connections at the maxConnections set through the API, closing those over it at once', async () => {
    // Far below the plan's ceiling and the broker's own per-address cap, so the cluster's quota is what refuses.
    const maxConnections = 20;
    expect(maxConnections).toBeLessThan(plans.basic.limits.maxConnections);
    const applied = () => broker.logs.filter((l) => l.msg === 'cluster config applied').length;
    const before = applied();
    await cp.api.clusters.updateQuotas(cp.clusterId, { maxConnections });
    await until('the broker to apply the lowered quota', () => (applied() > before ? true : undefined), 1_000, 10);
    // One over the cap is closed as soon as it is accepted: sometimes before the client even sees it connect.
    const attempts = await Promise.allSettled(Array.from({ length: maxConnections + 1 }, () => RawKafkaClient.connect(broker.port)));
    const clients = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    try {
      await until('a connection over the cap to be closed', () => (clients.length < attempts.length || clients.some((c) => c.isClosed) ? true : undefined), 2_000, 10);
      const refusal = await until('the refusal to be logged', () => broker.logs.find((l) => l.msg === 'refusing connection: over the connection cap'), 2_000, 10);
      expect(refusal).toMatchObject({ cap: 'cluster', maxConnections });
    } finally {
      for (const c of clients) c.close();
      await cp.api.clusters.updateQuotas(cp.clusterId, { maxConnections: null });
    }
    // The next tests connect again: wait until the broker has let go of these.
    await until('the connections to be released', async () => {
      const probe = await RawKafkaClient.connect(broker.port).catch(() => undefined);
      if (!probe) return undefined;
      const open = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), 100);
        void probe.closed.then(() => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      probe.close();
      return open ? true : undefined;
    }, 5_000, 50);
  });

  it('keeps serving from its cached keys while the control plane is away', async () => {
    const key = await cp.api.clusterApiKeys.create(cp.clusterId, { description: 'cached' });
    expect((await list(key.key, key.secret)).code).toBe(0);
    // The broker took the key at the login; its on-disk cache follows with the config long poll. Killed before that
    // write lands, a broker restarted without the control plane rightly does not know the key.
    const cache = path.join(broker.dataDir, 'control-plane-config.json');
    await until('the key in the broker\'s config cache', async () => ((await readFile(cache, 'utf8').catch(() => '')).includes(key.key) ? true : undefined), 10_000, 20);
    await cp.close();
    await broker.kill9();
    await broker.restart();
    expect(broker.logs.map((l) => l.msg)).toContain('control plane unreachable, using cached cluster config');
    expect((await list(key.key, key.secret)).code).toBe(0);
    // An unknown key asks the (absent) control plane, then is refused.
    expect((await saslLogin(broker.address, 'FJUNKNOWN', 'x')).ok).toBe(false);
  });
});
