import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from '@fjord/db';
import { testBackends } from '@fjord/db/testing';
import { createClient, type FjordClient } from '@fjord/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startControlPlane, type RunningControlPlane } from '../../apps/control-plane/test/process.ts';
import { brokerPid, killLeftoverBrokers, until } from '../helpers/control-plane.ts';
import { FailoverProxy } from '../helpers/failover-proxy.ts';
import { saslLogin } from '../helpers/sasl-login.ts';

// Two control-plane replicas on one PostgreSQL database: the advisory lock lets exactly one of them
// reconcile, the other serves the API only, and when the leader dies the standby takes the lock and
// adopts the leader's brokers (same data dir, same server secret).

/** The reconciler's lockRetryMs: how often a standby asks for the lock. */
const LOCK_RETRY_MS = 3_000;
/** Generous: the dead leader's session ends at once, so one retry period should do. */
const TAKEOVER_BOUND_MS = 15_000;
const password = 'correct horse battery staple';

// Same decision as the shared database suites: PostgreSQL when one answers, never with FJORD_TEST_POSTGRES=off.
const postgres = (await testBackends()).find((b) => b.name === 'postgresql');
const skipped =
  process.env.FJORD_TEST_POSTGRES === 'off'
    ? ' (skipped: FJORD_TEST_POSTGRES=off)'
    : ` (skipped: no PostgreSQL answers at ${process.env.DATABASE_URL ? 'DATABASE_URL' : '127.0.0.1:5432'})`;
// The default reporter shows a skipped file only as a count; say why where it is seen.
if (!postgres) console.warn(`reconciler-leader e2e${skipped}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The reconciler's role lines ('reconciler leader' / 'reconciler standby'), oldest first. */
const roles = (cp: RunningControlPlane) => cp.logs.filter((l) => l.component === 'reconciler' && typeof l.leader === 'boolean').map((l) => l.leader as boolean);
const provisioned = (cp: RunningControlPlane, clusterId: string) => cp.logs.some((l) => l.msg === 'cluster running' && l.clusterId === clusterId);
const alive = (cp: RunningControlPlane) => cp.child.exitCode === null && cp.child.signalCode === null;

describe.skipIf(!postgres)(`two control planes on one PostgreSQL${postgres ? '' : skipped}`, () => {
  let db: Database | undefined;
  let dataDir: string | undefined;
  const started: RunningControlPlane[] = [];
  let leader: RunningControlPlane;
  let standby: RunningControlPlane;
  /** Signed up on the standby: sessions live in the shared database, so it serves after the takeover too. */
  let api: FjordClient;
  const clusterIds: string[] = [];
  /** Where brokers reach the control plane (FJORD_INTERNAL_URL): whichever replica is alive, as behind a load balancer. */
  let internal: FailoverProxy;

  beforeAll(async () => {
    internal = await FailoverProxy.listen();
    // A fresh database of our own, dropped (WITH FORCE) by close().
    db = await postgres!.open();
    const [{ name, user }] = await db.prisma.$queryRawUnsafe<{ name: string; user: string }[]>('SELECT current_database() AS name, current_user AS "user"');
    // testBackends used DATABASE_URL's server when set, else 127.0.0.1:5432 as the user that answered.
    const url = new URL(process.env.DATABASE_URL || `postgresql://${encodeURIComponent(user)}@127.0.0.1:5432/postgres`);
    url.pathname = `/${name}`;

    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-leader-'));
    // One provisioned server secret for both replicas: a broker's token holds on either.
    const env = { DATABASE_URL: url.toString(), FJORD_DATA_DIR: dataDir, FJORD_SECRET_KEY: randomBytes(32).toString('hex'), FJORD_INTERNAL_URL: internal.url };
    const command = [process.execPath, '--import', 'tsx', 'apps/control-plane/src/main.ts'];
    // At the same time, so neither is favoured; whichever wins the lock is the leader.
    const results = await Promise.allSettled([0, 1].map(() => startControlPlane(command, { cwd: repoRoot, env })));
    for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    await until('both replicas to report a reconciler role', () => (started.every((cp) => roles(cp).length > 0) ? true : undefined), 15_000);
    const leaders = started.filter((cp) => roles(cp)[0]);
    expect(leaders, 'exactly one replica starts as leader').toHaveLength(1);
    leader = leaders[0];
    standby = started.find((cp) => cp !== leader)!;
    // The leader first: once it is killed, every broker call goes through the failover to the standby.
    internal.backends = [leader, standby].map((cp) => {
      const { hostname, port } = new URL(cp.url);
      return { host: hostname, port: Number(port) };
    });
    api = createClient({ baseUrl: standby.url });
    await api.signup({ email: `leader-${Date.now()}@example.com`, password, organizationName: 'E2E Leader' });
  }, 60_000);

  afterAll(async () => {
    // Best effort at every step: a detached broker left behind would outlive the test run.
    const survivor = started.find(alive);
    if (survivor && api) {
      for (const id of clusterIds) {
        try {
          await api.clusters.delete(id).catch(() => undefined);
          await api.clusters.waitFor(id, 'DELETED', { timeoutMs: 30_000 });
        } catch {
          // killLeftoverBrokers below stops its broker
        }
      }
    }
    for (const cp of started) await cp.stop().catch(() => undefined);
    await killLeftoverBrokers(dataDir);
    if (dataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    await db?.close().catch(() => undefined);
    await internal?.close();
  }, 90_000);

  it('only one replica reconciles; the other stays standby through several lock retries', async () => {
    expect(roles(leader)).toEqual([true]);
    expect(roles(standby)).toEqual([false]);
    // The standby retries every LOCK_RETRY_MS; give it several chances to (wrongly) take the lock.
    await sleep(3 * LOCK_RETRY_MS + 1_000);
    expect(alive(leader) && alive(standby)).toBe(true);
    expect(roles(leader)).toEqual([true]);
    expect(roles(standby)).toEqual([false]);
  }, 30_000);

  it("a cluster created through the standby's API is provisioned by the leader", async () => {
    const created = await api.clusters.create({ name: 'before-takeover', plan: 'basic' });
    clusterIds.push(created.id);
    expect(created.status).toBe('PROVISIONING');
    await api.clusters.waitFor(created.id, 'RUNNING', { timeoutMs: 45_000 });
    // The leader logs it just after the status change commits: give the line time to arrive.
    await until('the leader to log the cluster running', () => (provisioned(leader, created.id) ? true : undefined), 10_000);
    expect(provisioned(standby, created.id)).toBe(false);
    expect(roles(standby)).toEqual([false]);
  }, 60_000);

  it('when the leader is killed the standby takes over, provisions new clusters and adopts the running ones', async () => {
    const [first] = clusterIds;
    const firstBroker = await brokerPid(dataDir!, first);
    expect(firstBroker).toBeDefined();

    // SIGKILL: no orderly release; the lock goes only because PostgreSQL sees the session end.
    await leader.stop('SIGKILL');
    const killedAt = Date.now();
    await until('the standby to become leader', () => (roles(standby).includes(true) ? true : undefined), TAKEOVER_BOUND_MS);
    expect(roles(standby)).toEqual([false, true]);
    // Logged only so a slow takeover is visible in the output; the bound above is the assertion.
    console.log(`standby took over ${Date.now() - killedAt} ms after the leader was killed`);

    const second = await api.clusters.create({ name: 'after-takeover', plan: 'basic' });
    clusterIds.push(second.id);
    await api.clusters.waitFor(second.id, 'RUNNING', { timeoutMs: 45_000 });
    await until('the new leader to log the cluster running', () => (provisioned(standby, second.id) ? true : undefined), 10_000);

    // The new leader has looked at the first cluster several times by now: it kept its broker, not a new one.
    expect((await api.clusters.get(first)).status).toBe('RUNNING');
    expect(await brokerPid(dataDir!, first)).toBe(firstBroker);
    const eventTypes: string[] = [];
    for await (const e of api.clusters.allEvents(first)) eventTypes.push(e.type);
    expect(eventTypes).not.toContain('broker.down');

    // The broker the dead leader started is served by the survivor: a key made now works at once,
    // which needs the broker to fetch its config, with its token, from the other replica.
    const cluster = await api.clusters.get(first);
    const key = await api.clusterApiKeys.create(first, { description: 'after takeover' });
    const login = await saslLogin(cluster.bootstrapServers, key.key, key.secret, { caPem: await api.clusters.caPem(first) });
    login.client.close();
    expect(login.ok).toBe(true);
  }, 90_000);

  it('the new leader tears both clusters down, brokers included', async () => {
    for (const id of clusterIds) await api.clusters.delete(id);
    for (const id of clusterIds) await api.clusters.waitFor(id, 'DELETED', { timeoutMs: 45_000 });
    for (const id of clusterIds) expect(await brokerPid(dataDir!, id)).toBeUndefined();
  }, 60_000);
});
