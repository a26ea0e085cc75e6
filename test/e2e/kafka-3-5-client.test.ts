import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Consumer, MessagesStreamModes, stringDeserializers, type Message } from '@platformatic/kafka';
import { createClient, type FjordClient } from '@fjord/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningControlPlane } from '../../apps/control-plane/test/process.ts';
import { startNpmControlPlane, tearDownStory, until } from '../helpers/control-plane.ts';
import { kcatSaslArgs, runKcat } from '../helpers/kcat.ts';

const password = 'correct horse battery staple';
const GROUP = 'modern-readers';
const TOPIC = 'events';
const FIRST = 300;
const COMMITTED = 250;
const SECOND = 200;
const READ_TIMEOUT_MS = 60_000;
const QUIET_MS = 1_000;

interface Cluster {
  id: string;
  bootstrapServers: string;
  username: string;
  password: string;
  caFile: string;
  caPem: string;
}

/**
 * @platformatic/kafka 1.35.0 implements only the versions of Kafka 3.5 and later: Fetch v12-v17 (v13+
 * by topic id), OffsetFetch v8-v9, OffsetCommit v8-v9, JoinGroup v6-v9, Metadata v9-v12. Started in
 * a group, it reads from the group's committed offsets (the earliest where there are none), commits
 * each of the first `commit` records it reads, and stops QUIET_MS after it holds `count` records
 * (failing after READ_TIMEOUT_MS without them), returning every record it read.
 */
async function readAsGroup(cluster: Cluster, count: number, clientId: string, commit = count): Promise<string[]> {
  const consumer = new Consumer({
    clientId,
    groupId: GROUP,
    bootstrapBrokers: [cluster.bootstrapServers],
    sasl: { mechanism: 'PLAIN', username: cluster.username, password: cluster.password },
    tls: { ca: cluster.caPem },
    deserializers: stringDeserializers,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    retries: 3,
  });
  const values: string[] = [];
  const commits: Promise<void>[] = [];
  try {
    const stream = await consumer.consume({
      topics: [TOPIC],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: 'earliest',
      autocommit: false,
      maxWaitTime: 500,
    });
    let failure: Error | undefined;
    stream.on('error', (err: Error) => (failure = err));
    stream.on('data', (message: Message<string, string, string, string>) => {
      values.push(message.value);
      // Called in the order read, so the broker applies each partition's commits in offset order.
      if (values.length <= commit) commits.push(message.commit() as Promise<void>);
    });
    await until(`${clientId} to read ${count} records`, () => {
      if (failure) throw failure;
      return values.length >= count ? true : undefined;
    }, READ_TIMEOUT_MS);
    // A while longer: a record read twice, or one the group had committed, would arrive here too.
    await new Promise((r) => setTimeout(r, QUIET_MS));
    await Promise.all(commits);
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return values;
}

async function produceWithKcat(cluster: Cluster, values: string[]): Promise<void> {
  const args = ['-b', cluster.bootstrapServers, ...kcatSaslArgs(cluster), '-P', '-t', TOPIC, '-X', 'acks=all'];
  const res = await runKcat(args, `${values.join('\n')}\n`);
  expect(res.code, res.stderr).toBe(0);
}

// The acceptance: a consumer that speaks only Kafka 3.5+ API versions (it has no Fetch below
// v12 and no OffsetFetch below v8) reads a cluster provisioned through `npm start`, commits, and
// after a restart resumes where it left off.
describe('a Kafka 3.5+ client (@platformatic/kafka 1.35.0) against a cluster from npm start', () => {
  const secretKey = randomBytes(32).toString('base64');
  let dataDir: string;
  let cp: RunningControlPlane;
  let api: FjordClient;
  let cluster: Cluster;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-modern-client-'));
    cp = await startNpmControlPlane(dataDir, secretKey);
    api = createClient({ baseUrl: cp.url });
    await api.signup({ email: `modern-${Date.now()}@example.com`, password, organizationName: 'E2E Modern Client' });
    const created = await api.clusters.create({ name: 'modern', plan: 'basic' });
    const running = await api.clusters.waitFor(created.id, 'RUNNING', { timeoutMs: 60_000 });
    const key = await api.clusterApiKeys.create(created.id, { description: 'modern client' });
    const caPem = await api.clusters.caPem(created.id);
    const caFile = path.join(dataDir, 'ca.pem');
    await writeFile(caFile, caPem);
    cluster = { id: created.id, bootstrapServers: running!.bootstrapServers, username: key.key, password: key.secret, caFile, caPem };
    await api.topics.create(cluster.id, { name: TOPIC, partitions: 3 });
  }, 90_000);

  afterAll(() => tearDownStory(api, cluster ? [cluster.id] : [], cp, dataDir), 90_000);

  it('reads every record kcat produced, commits, and after a restart resumes from the committed offsets', async () => {
    const first = Array.from({ length: FIRST }, (_, n) => `first ${n}`);
    await produceWithKcat(cluster, first);
    const read = await readAsGroup(cluster, FIRST, 'modern-1', COMMITTED);
    expect([...read].sort()).toEqual([...first].sort());

    const second = Array.from({ length: SECOND }, (_, n) => `second ${n}`);
    await produceWithKcat(cluster, second);
    // Each partition is read in offset order, so what was read after the last commit is exactly what
    // lies past the committed offsets: the restarted consumer reads that again and the new records,
    // each once, and nothing it had committed.
    const uncommitted = read.slice(COMMITTED);
    const resumed = await readAsGroup(cluster, uncommitted.length + SECOND, 'modern-2');
    expect(resumed.sort()).toEqual([...uncommitted, ...second].sort());
  }, 180_000);
});
