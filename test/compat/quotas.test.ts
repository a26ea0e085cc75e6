import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, encodeRecordBatch } from '@fjord/kafka-protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { listeningControlPlane, type ListeningControlPlane } from '../helpers/control-plane-app.ts';
import { until } from '../helpers/control-plane.ts';
import { kcatSaslArgs, runKcat } from '../helpers/kcat.ts';
import { saslLogin } from '../helpers/sasl-login.ts';

const MiB = 1024 * 1024;
const RECORD = `${'x'.repeat(999)}\n`;
const lines = (bytes: number) => RECORD.repeat(Math.round(bytes / RECORD.length));

/** Requests of at most 100 KB: a rate read over a few seconds then moves by a fraction of one request. */
const PRODUCER_OPTIONS = ['-X', 'linger.ms=5', '-X', 'batch.size=100000'];

type Key = { id: string; key: string; secret: string };

/** A real broker process of one cluster, taking its quotas from the control plane. */
async function brokerOf(cp: ListeningControlPlane, clusterId: string, dataDir: string): Promise<TestBroker> {
  return startBroker({
    dataDir,
    auth: 'sasl_plain',
    clusterId,
    config: {
      // The quota window is Kafka's default (11 samples of 1 s): 12 MB at 1 MiB/s is about one window's worth more than its burst.
      controlPlane: { url: cp.url, token: cp.secrets.brokerToken(clusterId), statusIntervalMs: 200 },
    },
  });
}

const appliedVersion = (broker: TestBroker) =>
  Math.max(-1, ...broker.logs.filter((l) => l.msg === 'cluster config applied').map((l) => Number(l.version)));

/** Makes a change through the public API and waits for the broker to apply the config it leads to. */
async function applied(broker: TestBroker, change: () => Promise<unknown>): Promise<void> {
  const before = appliedVersion(broker);
  await change();
  await until('the change to reach the broker', () => (appliedVersion(broker) > before ? true : undefined), 2_000, 20);
}

type QuotaChanges = Parameters<ListeningControlPlane['api']['clusters']['updateQuotas']>[1];
const setClusterQuotas = (cp: ListeningControlPlane, broker: TestBroker, clusterId: string, changes: QuotaChanges) =>
  applied(broker, () => cp.api.clusters.updateQuotas(clusterId, changes));
const setKeyQuota = (cp: ListeningControlPlane, broker: TestBroker, key: Key, ingressBytesPerSecond: number | null) =>
  applied(broker, () => cp.api.clusterApiKeys.update(cp.clusterId, key.id, { quota: { ingressBytesPerSecond } }));

async function timedKcat(args: string[], input?: string): Promise<{ seconds: number; stdout: string }> {
  const start = performance.now();
  const res = await runKcat(args, input, 60_000);
  expect(res.code, res.stderr).toBe(0);
  return { seconds: (performance.now() - start) / 1000, stdout: res.stdout };
}

describe('byte-rate quotas, held the Kafka way (throttle_time_ms and a muted connection)', () => {
  let dataDir: string;
  let cp: ListeningControlPlane;
  let broker: TestBroker;
  let a: Key;
  let b: Key;
  const kcat = (key: Key) => ['-b', broker.address, ...kcatSaslArgs({ username: key.key, password: key.secret })];
  const produce = (key: Key, topic: string, input: string) => timedKcat([...kcat(key), '-P', '-t', topic, ...PRODUCER_OPTIONS], input);
  const consume = (key: Key, topic: string) => timedKcat([...kcat(key), '-C', '-t', topic, '-o', 'beginning', '-e', '-q']);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-quotas-'));
    cp = await listeningControlPlane();
    broker = await brokerOf(cp, cp.clusterId, dataDir);
    a = await cp.api.clusterApiKeys.create(cp.clusterId, { description: 'a' });
    b = await cp.api.clusterApiKeys.create(cp.clusterId, { description: 'b' });
    // Auto-creation is off, as on Confluent Cloud: the topics are made first.
    const admin = new Kafka({ brokers: [broker.address], sasl: { mechanism: 'plain', username: a.key, password: a.secret }, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: ['held', 'per-key-a', 'per-key-b', 'raw-throttle', 'lowered'].map((topic) => ({ topic })) });
    await admin.disconnect();
  });

  afterAll(async () => {
    await broker?.stop();
    await cp?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('holds kcat producing 12 MB at an ingress quota of 1 MiB/s, and every record arrives; an egress quota holds a consumer likewise', async () => {
    await setClusterQuotas(cp, broker, cp.clusterId, { ingressBytesPerSecond: MiB });
    const input = lines(12_000_000);
    const produced = await produce(a, 'held', input);
    const ingress = input.length / produced.seconds / MiB;
    expect(ingress).toBeGreaterThan(0.5);
    expect(ingress).toBeLessThan(1.3);
    const records = input.length / RECORD.length;
    expect((await consume(a, 'held')).stdout.split('\n').filter(Boolean)).toHaveLength(records);

    await setClusterQuotas(cp, broker, cp.clusterId, { egressBytesPerSecond: MiB });
    const consumed = await consume(a, 'held');
    expect(consumed.stdout.split('\n').filter(Boolean)).toHaveLength(records);
    const egress = input.length / consumed.seconds / MiB;
    expect(egress).toBeGreaterThan(0.5);
    expect(egress).toBeLessThan(1.3);
  }, 60_000);

  it('holds one key at its own quota while another key of the same cluster runs unthrottled', async () => {
    await setClusterQuotas(cp, broker, cp.clusterId, { ingressBytesPerSecond: null, egressBytesPerSecond: null });
    await setKeyQuota(cp, broker, a, MiB);
    const input = lines(12_000_000);
    const [held, free] = await Promise.all([produce(a, 'per-key-a', input), produce(b, 'per-key-b', input)]);
    const heldRate = input.length / held.seconds / MiB;
    expect(heldRate).toBeGreaterThan(0.5);
    expect(heldRate).toBeLessThan(1.3);
    expect(input.length / free.seconds / MiB).toBeGreaterThan(2.5);
  }, 60_000);

  it('answers an over-quota produce with throttle_time_ms and reads nothing more from that connection until it has passed', async () => {
    await setKeyQuota(cp, broker, b, 128 * 1024);
    const login = await saslLogin(broker.address, b.key, b.secret);
    expect(login.ok).toBe(true);
    const client = login.client;
    try {
      const batch = encodeRecordBatch({ baseOffset: 0n, records: [{ key: null, value: Buffer.alloc(256 * 1024, 1), headers: [] }] });
      const request = { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'raw-throttle', partitionData: [{ index: 0, records: batch }] }] };
      const first = await client.request(Api.Produce, 9, request);
      expect(first.responses[0].partitionResponses[0].errorCode).toBe(0);
      // 256 KiB in a new window (measured over at least one 1 s sample) against 128 KiB/s:
      // (rate - quota) / quota * window is about 1 s, less the time the window has been there beyond that second.
      expect(first.throttleTimeMs).toBeGreaterThan(200);
      expect(first.throttleTimeMs).toBeLessThan(1100);
      const sent = performance.now();
      const metadata = await client.request(Api.Metadata, 9, { topics: [], allowAutoTopicCreation: false });
      expect(metadata.brokers).toHaveLength(1);
      // The answer to the next request waits for the mute (less the time the first answer took to arrive).
      expect(performance.now() - sent).toBeGreaterThan(first.throttleTimeMs - 150);
    } finally {
      client.close();
    }
  }, 15_000);

  it('holds a producer that is already connected within 2 s of its quota being lowered', async () => {
    await setClusterQuotas(cp, broker, cp.clusterId, { ingressBytesPerSecond: 4 * MiB });
    const admin = new Kafka({ brokers: [broker.address], sasl: { mechanism: 'plain', username: a.key, password: a.secret }, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    let stopProducer = async () => {};
    const offset = async () => Number((await admin.fetchTopicOffsets('lowered')).reduce((n, p) => n + Number(p.high), 0));
    try {
      await setKeyQuota(cp, broker, a, null);
      // Far more than it can send in the test's time: stopped once the rate is read.
      const producer = spawn('kcat', [...kcat(a), '-P', '-t', 'lowered', ...PRODUCER_OPTIONS], { stdio: ['pipe', 'ignore', 'ignore'] });
      producer.stdin.on('error', () => undefined);
      producer.stdin.end(lines(40_000_000));
      const exited = new Promise((resolve) => producer.once('close', resolve));
      stopProducer = async () => {
        producer.kill('SIGKILL');
        await exited;
      };
      await until('the producer to be producing', () => offset().then((n) => (n > 0 ? n : undefined), () => undefined), 10_000, 50);
      const rateOver = async (ms: number) => {
        const from = await offset();
        const start = performance.now();
        await new Promise((resolve) => setTimeout(resolve, ms));
        return ((await offset()) - from) * RECORD.length / ((performance.now() - start) / 1000);
      };
      const lowered = 256 * 1024;
      expect(await rateOver(1000)).toBeGreaterThan(2 * lowered);
      await setClusterQuotas(cp, broker, cp.clusterId, { ingressBytesPerSecond: lowered });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await rateOver(3000)).toBeLessThan(1.3 * lowered);
    } finally {
      await stopProducer();
      await admin.disconnect();
    }
  }, 60_000);
});

describe('limits that refuse, with the Kafka error a client understands', () => {
  let dataDir: string;
  let cp: ListeningControlPlane;
  let clusterId: string;
  let broker: TestBroker;
  let kafka: Kafka;
  const admin = () => kafka.admin();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-limits-'));
    cp = await listeningControlPlane();
    clusterId = cp.clusterId;
    broker = await brokerOf(cp, clusterId, dataDir);
    const key = await cp.api.clusterApiKeys.create(clusterId, { description: 'limits' });
    kafka = new Kafka({ brokers: [broker.address], sasl: { mechanism: 'plain', username: key.key, password: key.secret }, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  });

  afterAll(async () => {
    await broker?.stop();
    await cp?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const createError = async (topics: Parameters<ReturnType<Kafka['admin']>['createTopics']>[0]['topics']) => {
    const a = admin();
    await a.connect();
    try {
      await a.createTopics({ topics });
      return undefined;
    } catch (err) {
      return (err as { errors?: { type: string; message: string }[] }).errors?.[0];
    } finally {
      await a.disconnect();
    }
  };

  /** The error message of a CreateTopics answer, which kafkajs does not pass on. */
  const rawCreateMessage = async (name: string, numPartitions: number, configs: Record<string, string> = {}) => {
    const key = await cp.api.clusterApiKeys.create(clusterId, { description: 'raw' });
    const login = await saslLogin(broker.address, key.key, key.secret);
    try {
      const answer = await login.client.request(Api.CreateTopics, 5, {
        topics: [{ name, numPartitions, replicationFactor: -1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      return answer.topics[0].errorMessage as string | null;
    } finally {
      login.client.close();
    }
  };

  it("refuses topics and partitions beyond the cluster's partition limit with POLICY_VIOLATION (kafkajs admin)", async () => {
    await setClusterQuotas(cp, broker, clusterId, { maxPartitions: 3 });
    expect(await createError([{ topic: 'two', numPartitions: 2 }])).toBeUndefined();
    expect(await createError([{ topic: 'too-many', numPartitions: 2 }])).toMatchObject({ type: 'POLICY_VIOLATION' });
    // kafkajs shows the code's text; the broker's own message names the limit.
    expect(await rawCreateMessage('too-many', 2)).toBe("this cluster's partition limit is 3 and 2 are in use: 2 more would exceed it");
    const a = admin();
    await a.connect();
    try {
      await expect(a.createPartitions({ topicPartitions: [{ topic: 'two', count: 4 }] })).rejects.toMatchObject({ type: 'POLICY_VIOLATION' });
      await a.createPartitions({ topicPartitions: [{ topic: 'two', count: 3 }] });
    } finally {
      await a.disconnect();
    }
    await setClusterQuotas(cp, broker, clusterId, { maxPartitions: null });
    expect(await createError([{ topic: 'too-many', numPartitions: 2 }])).toBeUndefined();
  });

  it('refuses produce with POLICY_VIOLATION once hot storage reaches its limit', async () => {
    expect(await createError([{ topic: 'stored' }])).toBeUndefined();
    const producer = kafka.producer();
    await producer.connect();
    try {
      const message = { topic: 'stored', messages: [{ value: Buffer.alloc(100 * 1024, 7) }] };
      await producer.send(message);
      await setClusterQuotas(cp, broker, clusterId, { storageBytes: 150 * 1024 });
      await producer.send(message);
      await expect(producer.send(message)).rejects.toMatchObject({ type: 'POLICY_VIOLATION' });
      await setClusterQuotas(cp, broker, clusterId, { storageBytes: null });
      await producer.send(message);
    } finally {
      await producer.disconnect();
    }
  });

  it("answers MESSAGE_TOO_LARGE for a batch above the cluster's max message size, and refuses topic configs above the plan", async () => {
    expect(await createError([{ topic: 'sized' }])).toBeUndefined();
    await setClusterQuotas(cp, broker, clusterId, { maxMessageBytes: 10_000 });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await expect(producer.send({ topic: 'sized', messages: [{ value: Buffer.alloc(20_000, 1) }] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
      await producer.send({ topic: 'sized', messages: [{ value: Buffer.alloc(5_000, 1) }] });
    } finally {
      await producer.disconnect();
    }
    expect(await createError([{ topic: 'big-messages', configEntries: [{ name: 'max.message.bytes', value: '20000' }] }])).toMatchObject({ type: 'POLICY_VIOLATION' });
    expect(await rawCreateMessage('big-messages', 1, { 'max.message.bytes': '20000' })).toBe("max.message.bytes 20000 is above this cluster's limit of 10000");
    expect(await createError([{ topic: 'forever', configEntries: [{ name: 'retention.ms', value: '-1' }] }])).toMatchObject({ type: 'POLICY_VIOLATION' });
    expect(await rawCreateMessage('forever', 1, { 'retention.ms': '-1' })).toMatch(/^retention.ms -1 is above this cluster's limit of \d+$/);
    await setClusterQuotas(cp, broker, clusterId, { maxMessageBytes: null });
  });

  it("creates topics on first use only when the cluster's settings turn auto-creation on", async () => {
    const login = await saslLogin(broker.address, ...(await cp.api.clusterApiKeys.create(clusterId, { description: 'auto' }).then((k) => [k.key, k.secret] as const)));
    try {
      const ask = async (name: string) =>
        (await login.client.request(Api.Metadata, 9, { topics: [{ name }], allowAutoTopicCreation: true })).topics[0].errorCode as number;
      expect(await ask('auto-off')).toBe(3); // UNKNOWN_TOPIC_OR_PARTITION
      await applied(broker, () => cp.api.clusters.update(clusterId, { settings: { autoCreateTopics: true } }));
      expect(await ask('auto-on')).toBe(0);
    } finally {
      login.client.close();
    }
  });

  it('reports partitions, hot bytes and connections to the control plane, shown by GET /v1/quotas', async () => {
    const login = await saslLogin(broker.address, ...(await cp.api.clusterApiKeys.create(clusterId, { description: 'open' }).then((k) => [k.key, k.secret] as const)));
    try {
      const shown = await until('a status report with the topics made here', async () => {
        const entry = (await cp.api.quotas()).clusterQuotas.find((c) => c.clusterId === clusterId);
        return entry && entry.partitions.used !== null && entry.partitions.used >= 5 && (entry.storageBytes.used ?? 0) > 300_000 && (entry.connections.used ?? 0) >= 1 ? entry : undefined;
      }, 5_000, 100);
      expect(shown.measuredAt).not.toBeNull();
    } finally {
      login.client.close();
    }
  });
});
