import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type FjordClient } from '@fjord/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningControlPlane } from '../../apps/control-plane/test/process.ts';
import { alive, brokerPid, brokerPidFiles, processesUnder, startNpmControlPlane, tearDownStory, until } from '../helpers/control-plane.ts';
import { kcatSaslArgs, runKcat } from '../helpers/kcat.ts';

const password = 'correct horse battery staple';
const RECORDS = 300;
// Brokers get 10 s to stop on SIGTERM; a clean stop of healthy ones takes well under that.
const CLEAN_STOP_BOUND_MS = 15_000;

interface Credential {
  username: string;
  password: string;
  /** The CA the API serves, for kcat's `ssl.ca.location`. */
  caFile: string;
}

const listWith = (bootstrap: string, credential: Credential) => runKcat(['-b', bootstrap, ...kcatSaslArgs(credential), '-L', '-m', '3'], undefined, 10_000);

function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// `npm start` as a laptop cloud: Ctrl-C stops the control plane and the brokers it runs, and the
// next start on the same data dir brings the clusters back, on their addresses, with their data.
describe('local lifecycle end to end', () => {
  const secretKey = randomBytes(32).toString('base64');
  let dataDir: string;
  let cp: RunningControlPlane;
  let api: FjordClient;
  const clusters: { id: string; bootstrapServers: string; credential: Credential; sent: string[] }[] = [];

  const start = () => startNpmControlPlane(dataDir, secretKey);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-lifecycle-'));
    cp = await start();
    api = createClient({ baseUrl: cp.url });
    await api.signup({ email: `lifecycle-${Date.now()}@example.com`, password, organizationName: 'E2E Lifecycle' });
  }, 60_000);

  afterAll(() => tearDownStory(api, clusters.map((c) => c.id), cp, dataDir), 90_000);

  it('has running clusters with a topic, a key and records', async () => {
    const created = await Promise.all(['orders', 'audit'].map((name) => api.clusters.create({ name, plan: 'basic' })));
    for (const [i, c] of created.entries()) {
      const running = await api.clusters.waitFor(c.id, 'RUNNING', { timeoutMs: 60_000 });
      const key = await api.clusterApiKeys.create(c.id, { description: 'kcat' });
      const caFile = path.join(dataDir, `ca-${c.id}.pem`);
      await writeFile(caFile, await api.clusters.caPem(c.id));
      const credential = { username: key.key, password: key.secret, caFile };
      // A key answered 201 works on the very next connection.
      expect((await listWith(running!.bootstrapServers, credential)).code).toBe(0);
      await api.topics.create(c.id, { name: 'events', partitions: 2 });
      const sent = Array.from({ length: RECORDS }, (_, n) => `cluster ${i} record ${n}`);
      const res = await runKcat(['-b', running!.bootstrapServers, ...kcatSaslArgs(credential), '-P', '-t', 'events', '-X', 'acks=all'], `${sent.join('\n')}\n`);
      expect(res.code, res.stderr).toBe(0);
      clusters.push({ id: c.id, bootstrapServers: running!.bootstrapServers, credential, sent });
    }
  }, 120_000);

  it('stops the brokers with the control plane on Ctrl-C, and exits 0', async () => {
    expect(clusters).toHaveLength(2);
    const pids = await Promise.all(clusters.map((c) => brokerPid(dataDir, c.id)));
    for (const pid of pids) expect(pid !== undefined && alive(pid)).toBe(true);

    const stopStarted = Date.now();
    const code = await withTimeout('a clean stop', cp.stop('SIGINT'), CLEAN_STOP_BOUND_MS);
    const stopMs = Date.now() - stopStarted;

    expect(code).toBe(0);
    for (const pid of pids) expect(alive(pid!)).toBe(false);
    expect(await brokerPidFiles(dataDir)).toEqual([]);
    expect(await processesUnder(dataDir)).toEqual([]);
    const stoppedLines = cp.logs.filter((l) => l.msg === 'broker stopped');
    expect(stoppedLines.map((l) => l.clusterId).sort()).toEqual(clusters.map((c) => c.id).sort());
    for (const line of stoppedLines) expect(line.outcome).toBe('terminated');
    const summary = cp.logs.find((l) => l.msg === 'local brokers stopped');
    expect(summary).toMatchObject({ brokers: clusters.length, killed: 0, failed: 0 });
    console.info(`clean stop of ${clusters.length} brokers: ${summary!.ms} ms in the control plane, ${stopMs} ms to exit`);
  }, 30_000);

  it('brings every cluster back on the next start, on the same address, with its records', async () => {
    expect(clusters).toHaveLength(2);
    const session = api.session!;
    const restartedAt = Date.now();
    cp = await start();
    api = createClient({ baseUrl: cp.url }).useSession(session);

    for (const cluster of clusters) {
      const now = await api.clusters.get(cluster.id);
      expect(now.status).toBe('RUNNING');
      expect(now.bootstrapServers).toBe(cluster.bootstrapServers);
      await until('the broker to answer again', async () => ((await listWith(cluster.bootstrapServers, cluster.credential)).code === 0 ? true : undefined), 30_000);
    }
    const listening = Number(cp.logs.find((l) => l.msg === 'control plane listening')!.time);
    const resumed = cp.logs.filter((l) => l.msg === 'broker started after control-plane restart').map((l) => Number(l.time));
    expect(resumed).toHaveLength(clusters.length);
    console.info(
      `restart: control plane listening after ${listening - restartedAt} ms, every broker started ${Math.max(...resumed) - listening} ms later, ` +
        `answering kcat ${Date.now() - restartedAt} ms after the start`,
    );

    for (const cluster of clusters) {
      const res = await runKcat(['-b', cluster.bootstrapServers, ...kcatSaslArgs(cluster.credential), '-C', '-t', 'events', '-o', 'beginning', '-e', '-q']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout.split('\n').filter((l) => l.length > 0).sort()).toEqual([...cluster.sent].sort());

      const events = [];
      for await (const e of api.clusters.allEvents(cluster.id)) events.push(e);
      const types = events.map((e) => e.type);
      expect(types).toContain('broker.started');
      expect(types).not.toContain('broker.down');
      expect(events.find((e) => e.type === 'broker.started')!.message).toContain('after control-plane restart');
    }
  }, 90_000);
});
