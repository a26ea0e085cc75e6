import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { testBackends } from '@fjord/db/testing';
import { createObjectStore } from '@fjord/object-store';
import { findFreePort, LocalOrchestrator } from '@fjord/orchestrator';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSecrets } from '../src/cluster-secrets.ts';
import { createDataAccess } from '../src/data-access.ts';
import { LocalLeaderLock } from '../src/reconciler/leader-lock.ts';
import { Reconciler } from '../src/reconciler/reconciler.ts';
import { until } from '../../../test/helpers/control-plane.ts';
import { signup, startTestApp, type SignedUp, type TestApp } from './helpers.ts';

const [pglite] = await testBackends();

// The reconciler's failure paths with a real local orchestrator and real broker processes:
// a broker that cannot start turns its cluster FAILED with the reason, a broker that belongs
// to no cluster is stopped, and a broker stopped with the last control plane is started without
// alarm. (The happy paths run end to end in test/e2e/provisioning.test.ts and local-lifecycle.test.ts.)
describe('reconciler', () => {
  let dataDir: string;
  let t: TestApp;
  let a: SignedUp;
  let orchestrator: LocalOrchestrator;
  let reconciler: Reconciler;
  let reconcilerOptions: ConstructorParameters<typeof Reconciler>[0];
  let squatter: Server;
  let takenPort: number;
  const secrets = new ClusterSecrets(randomBytes(32));
  /** What the reconciler logged: where the detail tenants no longer see must be. */
  const logged: { clusterId?: string; err?: string; msg: string }[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-reconciler-'));
    // Something else holds the port the next cluster is placed on, so its broker cannot listen.
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    takenPort = (squatter.address() as { port: number }).port;
    const ports = [takenPort];
    const allocatePort = async () => ports.shift() ?? findFreePort('127.0.0.1');
    // Waiting requests never look again by themselves here: only the reconciler's announcements wake them.
    t = await startTestApp(pglite, { clusterSecrets: secrets, placement: { host: '127.0.0.1', allocatePort }, clusterWaitRecheckMs: 60_000 });
    a = await signup(t.app, 'Reconciled');
    orchestrator = new LocalOrchestrator({ kind: 'local', dataDir, startTimeoutMs: 20_000, stopGraceMs: 2_000 });
    const { repos, transact } = createDataAccess(t.db.prisma);
    reconcilerOptions = {
      repos,
      transact,
      orchestrator,
      secrets,
      certificates: t.app.services.brokerCertificates,
      objectStore: createObjectStore({ kind: 'fs', root: path.join(dataDir, 'objects') }),
      // Nothing answers here: brokers start but never learn a credential, so the probe cannot pass.
      controlPlaneUrl: 'http://127.0.0.1:9',
      lock: new LocalLeaderLock(),
      logger: pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) }),
      maxAttempts: 2,
      probeTimeoutMs: 1_500,
      onClusterChange: (clusterId) => t.app.services.clusterChanges.notify(clusterId),
    };
    reconciler = new Reconciler(reconcilerOptions);
  }, 60_000);

  afterAll(async () => {
    for (const broker of (await orchestrator?.list()) ?? []) await orchestrator.stopBroker(broker.clusterId, broker.nodeId, { deleteData: true });
    await orchestrator?.close();
    await t?.close();
    squatter?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  const eventsOf = async (id: string) =>
    ((await t.app.inject({ method: 'GET', url: `/v1/clusters/${id}/events`, headers: a.auth })).json().items as { type: string; message: string }[]);

  const getCluster = async (id: string) =>
    (await t.app.inject({ method: 'GET', url: `/v1/clusters/${id}`, headers: a.auth })).json() as { status: string; failureReason?: string };

  /** Creates a cluster and runs passes until it leaves PROVISIONING; `waited` is what a long poll started at once answered. */
  async function provisionUntilSettled(name: string) {
    const res = await t.app.inject({ method: 'POST', url: '/v1/clusters', headers: a.auth, payload: { name, plan: 'basic' } });
    expect(res.statusCode, res.body).toBe(202);
    const { id } = res.json() as { id: string };
    const waited = t.app.inject({ method: 'GET', url: `/v1/clusters/${id}?waitFor=RUNNING&timeoutMs=30000`, headers: a.auth });
    const deadline = Date.now() + 90_000;
    let cluster = await getCluster(id);
    while (cluster.status === 'PROVISIONING' && Date.now() < deadline) {
      await reconciler.pass();
      await reconciler.settled();
      await new Promise((r) => setTimeout(r, 250));
      cluster = await getCluster(id);
    }
    const events = (await t.app.inject({ method: 'GET', url: `/v1/clusters/${id}/events`, headers: a.auth })).json();
    const settledAt = Date.now();
    const answer = await waited;
    return { id, cluster, events: events.items.map((e: { type: string }) => e.type) as string[], waited: answer.json() as { status: string }, waitedMs: Date.now() - settledAt };
  }

  it('marks a cluster FAILED with a generic reason when its broker exits while starting, the broker\'s own reason in the log only', async () => {
    const { id, cluster, events, waited, waitedMs } = await provisionUntilSettled('port-taken');
    expect(cluster.status).toBe('FAILED');
    // The long poll for RUNNING was woken by the reconciler's transition, not by its 30 s timeout.
    expect(waited.status).toBe('FAILED');
    expect(waitedMs).toBeLessThan(1_000);
    expect(cluster.failureReason).toBe(`the broker exited while starting (support reference: cluster ${id})`);
    expect(JSON.stringify(await eventsOf(id))).not.toMatch(/EADDRINUSE|last log|pid/);
    expect(logged.find((l) => l.clusterId === id && l.msg === 'provisioning attempt failed')?.err).toMatch(/EADDRINUSE/);
    expect(events.filter((type) => type === 'cluster.failed')).toHaveLength(1);
    expect((await orchestrator.health(id, 0)).state).not.toBe('running');

    // A FAILED cluster stays FAILED: later passes do not start it again.
    await reconciler.pass();
    await reconciler.settled();
    expect((await getCluster(id)).status).toBe('FAILED');
  }, 120_000);

  it('retries a broker that does not answer Kafka, then marks the cluster FAILED and stops the broker', async () => {
    const { id, cluster, events } = await provisionUntilSettled('never-answers');
    expect(cluster.status).toBe('FAILED');
    expect(cluster.failureReason).toBe(`the broker does not answer Kafka requests (support reference: cluster ${id})`);
    expect(events).toEqual(['cluster.requested', 'cluster.retrying', 'cluster.failed']);
    // The broker is stopped with the failure, or at the latest by the next pass.
    await reconciler.pass();
    await reconciler.settled();
    expect((await orchestrator.health(id, 0)).state).toBe('stopped');
  }, 120_000);

  it('stops a broker that belongs to no cluster', async () => {
    const orphan = randomUUID();
    const port = await findFreePort('127.0.0.1');
    const started = await orchestrator.ensureBroker({ clusterId: orphan, nodeId: 0, host: '127.0.0.1', port, config: { auth: 'none' } });
    expect(started.state).toBe('running');

    await reconciler.pass();
    await reconciler.settled();
    const after = (await orchestrator.list()).find((b) => b.clusterId === orphan);
    expect(after?.state).toBe('stopped');
  }, 60_000);

  it('starts the broker of a RUNNING cluster that the last control plane stopped as broker.started, and calls a later stop broker.down', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/clusters', headers: a.auth, payload: { name: 'laptop', plan: 'basic' } });
    const { id, bootstrapServers } = res.json() as { id: string; bootstrapServers: string };
    const [host, port] = bootstrapServers.split(':');
    // It ran under the last control plane, which stopped its broker on a clean shutdown.
    await reconcilerOptions.repos.clusters.transition(a.orgId, id, 'PROVISIONING', { status: 'RUNNING', runningAt: new Date() });
    await orchestrator.ensureBroker({ clusterId: id, nodeId: 0, host, port: Number(port), config: { auth: 'none' } });
    await orchestrator.stopBroker(id, 0);

    const next = new Reconciler(reconcilerOptions);
    await next.pass();
    await next.settled();
    const resumed = await orchestrator.health(id, 0);
    expect(resumed).toMatchObject({ state: 'running', endpoint: { port: Number(port) } });
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(['cluster.requested', 'broker.started']);
    expect((await eventsOf(id))[1].message).toBe(`broker started after control-plane restart on ${bootstrapServers} with its data`);

    // Once running under this control plane, a broker that goes away is an outage.
    process.kill(resumed.pid!, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while ((await orchestrator.health(id, 0)).state === 'running' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await next.pass();
    await next.settled();
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(['cluster.requested', 'broker.started', 'broker.down', 'broker.restarted']);
    // The orchestrator's reason (pid, the broker's last log lines) is for operators, not tenants.
    expect((await eventsOf(id))[2].message).toMatch(new RegExp(`^the broker is \\w+ \\(support reference: cluster ${id}\\)$`));
    expect(logged.find((l) => l.clusterId === id && l.msg === 'broker down')).toMatchObject({ why: expect.stringMatching(/is gone/) });
  }, 60_000);

  it('serves TLS with a certificate from the CA, and restarts a running broker with a new one when it nears expiry', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/clusters', headers: a.auth, payload: { name: 'renewed', plan: 'basic' } });
    const { id, bootstrapServers } = res.json() as { id: string; bootstrapServers: string };
    const [host, port] = bootstrapServers.split(':');
    await reconcilerOptions.repos.clusters.transition(a.orgId, id, 'PROVISIONING', { status: 'RUNNING', runningAt: new Date() });
    const ca = await t.app.services.brokerCertificates.authorityPem();
    /** The serial number of the certificate the broker presents, verified against the CA as clients do. */
    const servedSerial = () =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host, port: Number(port), ca }, () => {
          resolve(socket.getPeerX509Certificate()!.serialNumber);
          socket.destroy();
        });
        socket.once('error', reject);
      });
    const serving = () => until('the broker to serve TLS', () => servedSerial().catch(() => undefined), 20_000, 100);

    await reconciler.pass();
    await reconciler.settled();
    const stored = await t.db.prisma.brokerCertificate.findUniqueOrThrow({ where: { clusterId: id } });
    expect(await serving()).toBe(new X509Certificate(stored.certPem).serialNumber);

    // A pass over a broker whose certificate is still good changes nothing.
    await reconciler.pass();
    await reconciler.settled();
    expect((await t.db.prisma.brokerCertificate.findUniqueOrThrow({ where: { clusterId: id } })).certPem).toBe(stored.certPem);

    await t.db.prisma.brokerCertificate.update({ where: { clusterId: id }, data: { notAfter: new Date(Date.now() + 86_400_000) } });
    await reconciler.pass();
    await reconciler.settled();
    const renewed = await t.db.prisma.brokerCertificate.findUniqueOrThrow({ where: { clusterId: id } });
    expect(renewed.certPem).not.toBe(stored.certPem);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect((await eventsOf(id)).map((e) => e.type)).toContain('broker.certificate-renewed');
    await until('the broker to serve the new certificate', async () => ((await servedSerial().catch(() => '')) === new X509Certificate(renewed.certPem).serialNumber ? true : undefined), 20_000, 100);
  }, 60_000);

  it('runs the shutdown work of stop() while it still leads, then lets go of the lock', async () => {
    const next = new Reconciler(reconcilerOptions);
    next.start();
    const deadline = Date.now() + 10_000;
    while (!next.isLeader && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    let ledDuringShutdown: boolean | undefined;
    await next.stop(async () => {
      ledDuringShutdown = next.isLeader;
    });
    expect(ledDuringShutdown).toBe(true);
    expect(next.isLeader).toBe(false);
  }, 30_000);
});
