import { randomBytes } from 'node:crypto';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type FjordClient } from '@fjord/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningControlPlane } from '../../apps/control-plane/test/process.ts';
import { alive, brokerPid, problemOf, startNpmControlPlane, tearDownStory, until } from '../helpers/control-plane.ts';
import { kcatSaslArgs, runKcat } from '../helpers/kcat.ts';
import { saslLogin } from '../helpers/sasl-login.ts';

const password = 'correct horse battery staple';

interface Running {
  id: string;
  bootstrapServers: string;
}
interface Credential {
  username: string;
  password: string;
  /** The CA the API serves, written to a file for kcat's `ssl.ca.location`. */
  caFile: string;
}

const exists = (file: string) => access(file).then(() => true, () => false);

/** Whether this machine can listen on the port now (nobody else holds it). */
const portFree = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });

/** `kcat -L` with a credential: exit 0 once the broker knows it. */
const listWith = (bootstrap: string, credential: Credential) => runKcat(['-b', bootstrap, ...kcatSaslArgs(credential), '-L', '-m', '3'], undefined, 10_000);

async function produce(bootstrap: string, credential: Credential, topic: string, lines: string[]) {
  const res = await runKcat(['-b', bootstrap, ...kcatSaslArgs(credential), '-P', '-t', topic, '-X', 'acks=all'], `${lines.join('\n')}\n`);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
}

async function consumeAll(bootstrap: string, credential: Credential, topic: string): Promise<string[]> {
  const res = await runKcat(['-b', bootstrap, ...kcatSaslArgs(credential), '-C', '-t', topic, '-o', 'beginning', '-e', '-q']);
  expect(res.code, res.stderr).toBe(0);
  return res.stdout.split('\n').filter((l) => l.length > 0);
}

// The provisioning story as a user lives it, against `npm start`'s control plane with local brokers:
// REST calls become brokers that kcat reaches, drift is repaired, and nothing is lost across restarts.
describe('provisioning end to end', () => {
  const secretKey = randomBytes(32).toString('base64');
  let dataDir: string;
  let cp: RunningControlPlane;
  let api: FjordClient;
  const clusters: Running[] = [];
  const credentials: Credential[] = [];
  const sent: string[][] = [[], []];

  const start = () => startNpmControlPlane(dataDir, secretKey);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-provisioning-'));
    cp = await start();
    api = createClient({ baseUrl: cp.url });
    await api.signup({ email: `provisioning-${Date.now()}@example.com`, password, organizationName: 'E2E Provisioning' });
  }, 60_000);

  afterAll(() => tearDownStory(api, clusters.map((c) => c.id), cp, dataDir), 90_000);

  it('brings two clusters to RUNNING; kcat produces and consumes through each bootstrap address with a cluster API key', async () => {
    const created = await Promise.all(['payments', 'clickstream'].map((name) => api.clusters.create({ name, plan: 'basic' })));
    for (const c of created) expect(c.status).toBe('PROVISIONING');
    for (const c of created) {
      const running = await api.clusters.waitFor(c.id, 'RUNNING', { timeoutMs: 60_000 });
      clusters.push({ id: running!.id, bootstrapServers: running!.bootstrapServers });
    }
    expect(new Set(clusters.map((c) => c.bootstrapServers)).size).toBe(2);

    for (const [i, cluster] of clusters.entries()) {
      const key = await api.clusterApiKeys.create(cluster.id, { description: `kcat ${i}` });
      const caFile = path.join(dataDir, `ca-${i}.pem`);
      await writeFile(caFile, await api.clusters.caPem(cluster.id));
      const credential = { username: key.key, password: key.secret, caFile };
      credentials.push(credential);
      // A key answered 201 works on the very next connection: no sleep, no retry.
      expect((await listWith(cluster.bootstrapServers, credential)).code).toBe(0);
      await api.topics.create(cluster.id, { name: 'events', partitions: 2 });
      sent[i] = Array.from({ length: 500 }, (_, n) => `cluster ${i} record ${n}`);
      await produce(cluster.bootstrapServers, credential, 'events', sent[i]);
      expect((await consumeAll(cluster.bootstrapServers, credential, 'events')).sort()).toEqual([...sent[i]].sort());
    }

    const events = [];
    for await (const e of api.clusters.allEvents(clusters[0].id)) events.push(e.type);
    expect(events).toEqual(expect.arrayContaining(['cluster.requested', 'cluster.running']));
  });

  it('refuses a deleted cluster API key for new connections and closes its open ones within 1 s; other keys keep working', async () => {
    const [cluster] = clusters;
    const doomed = await api.clusterApiKeys.create(cluster.id, { description: 'short-lived' });
    const credential = { username: doomed.key, password: doomed.secret, caFile: credentials[0].caFile };
    expect((await listWith(cluster.bootstrapServers, credential)).code).toBe(0);
    const tls = { caPem: await api.clusters.caPem(cluster.id) };
    const open = await saslLogin(cluster.bootstrapServers, credential.username, credential.password, tls);
    expect(open.ok).toBe(true);
    await api.clusterApiKeys.delete(cluster.id, doomed.id);
    await until('the open connection of the deleted key to be closed', () => (open.client.isClosed ? true : undefined), 1_000, 10);
    await until('a new login with the deleted key to be refused', async () => {
      const login = await saslLogin(cluster.bootstrapServers, credential.username, credential.password, tls);
      login.client.close();
      return login.ok ? undefined : true;
    }, 1_000, 10);
    const refused = await listWith(cluster.bootstrapServers, credential);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Authentication failed|SASL authentication error/i);
    expect((await listWith(cluster.bootstrapServers, credentials[0])).code).toBe(0);
  });

  it('restarts a broker killed with -9 on the same port with the same data: no acknowledged record lost', async () => {
    const [cluster] = clusters;
    const before = await brokerPid(dataDir, cluster.id);
    expect(before).toBeDefined();
    process.kill(before!, 'SIGKILL');
    await until('a new broker process', async () => {
      const pid = await brokerPid(dataDir, cluster.id);
      return pid !== undefined && pid !== before && alive(pid) ? pid : undefined;
    }, 30_000);
    // Same bootstrap address, same records, and offsets continue after them.
    const back = await until('the broker to serve again', async () => {
      const res = await listWith(cluster.bootstrapServers, credentials[0]);
      return res.code === 0 ? res : undefined;
    }, 30_000);
    expect(back.code).toBe(0);
    expect((await api.clusters.get(cluster.id)).bootstrapServers).toBe(cluster.bootstrapServers);
    expect((await consumeAll(cluster.bootstrapServers, credentials[0], 'events')).sort()).toEqual([...sent[0]].sort());
    const more = Array.from({ length: 100 }, (_, n) => `after the restart ${n}`);
    await produce(cluster.bootstrapServers, credentials[0], 'events', more);
    sent[0].push(...more);
    const topic = await api.topics.get(cluster.id, 'events');
    expect(topic.partitions.reduce((sum, p) => sum + p.highWatermark, 0)).toBe(sent[0].length);

    const events = [];
    for await (const e of api.clusters.allEvents(cluster.id)) events.push(e.type);
    expect(events).toEqual(expect.arrayContaining(['broker.down', 'broker.restarted']));
  });

  it('survives a killed control plane: the session still works, clusters stay RUNNING, brokers keep their ports', async () => {
    const pids = await Promise.all(clusters.map((c) => brokerPid(dataDir, c.id)));
    const session = api.session!;
    await cp.stop('SIGKILL');
    cp = await start();
    api = createClient({ baseUrl: cp.url }).useSession(session);

    expect((await api.me()).organization.name).toBe('E2E Provisioning');
    // Give the new reconciler a few passes: it must adopt the brokers, not restart or lose them.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const [i, cluster] of clusters.entries()) {
      const now = await api.clusters.get(cluster.id);
      expect(now.status).toBe('RUNNING');
      expect(now.bootstrapServers).toBe(cluster.bootstrapServers);
      expect(await brokerPid(dataDir, cluster.id)).toBe(pids[i]);
      expect((await consumeAll(cluster.bootstrapServers, credentials[i], 'events')).sort()).toEqual([...sent[i]].sort());
    }
  });

  it("deletes a cluster: its port and data are freed, its tiered prefix removed, then it answers 404", async () => {
    const cluster = clusters.pop()!;
    const [host, port] = cluster.bootstrapServers.split(':');
    const clusterDir = path.join(dataDir, 'clusters', cluster.id);
    expect(await exists(clusterDir)).toBe(true);
    expect(await portFree(host, Number(port))).toBe(false);
    // A tiered segment of this cluster in the embedded filesystem object store, and one of another cluster.
    const tiered = path.join(dataDir, 'objects', 'clusters', cluster.id, 'events-0', '00000000000000000000.log');
    const neighbour = path.join(dataDir, 'objects', 'clusters', clusters[0].id, 'events-0', '00000000000000000000.log');
    for (const file of [tiered, neighbour]) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, 'segment');
    }

    const deleting = await api.clusters.delete(cluster.id);
    expect(deleting.status).toBe('DELETING');
    await api.clusters.waitFor(cluster.id, 'DELETED', { timeoutMs: 30_000 });
    expect((await problemOf(api.clusters.get(cluster.id))).status).toBe(404);
    expect(await exists(clusterDir)).toBe(false);
    expect(await portFree(host, Number(port))).toBe(true);
    expect(await exists(tiered)).toBe(false);
    expect(await exists(neighbour)).toBe(true);
    expect((await listWith(cluster.bootstrapServers, credentials[1])).code).not.toBe(0);
    // The other cluster is untouched.
    expect((await api.clusters.get(clusters[0].id)).status).toBe('RUNNING');
  });

  it('converges when the control plane dies mid-provisioning and mid-deletion', async () => {
    const restart = async () => {
      const session = api.session!;
      await cp.stop('SIGKILL');
      cp = await start();
      api = createClient({ baseUrl: cp.url }).useSession(session);
    };
    const late = await api.clusters.create({ name: 'born-in-a-crash', plan: 'basic' });
    clusters.push({ id: late.id, bootstrapServers: late.bootstrapServers });
    await restart();
    const running = await api.clusters.waitFor(late.id, 'RUNNING', { timeoutMs: 60_000 });
    expect(running!.bootstrapServers).toBe(late.bootstrapServers);
    const pid = await brokerPid(dataDir, late.id);
    expect(pid !== undefined && alive(pid)).toBe(true);

    await api.clusters.delete(late.id);
    await restart();
    await api.clusters.waitFor(late.id, 'DELETED', { timeoutMs: 60_000 });
    clusters.pop();
    await until('the broker process to be gone', async () => (alive(pid!) ? undefined : true), 15_000);
    expect(await exists(path.join(dataDir, 'clusters', late.id))).toBe(false);
  });
});
