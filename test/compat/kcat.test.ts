import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCredential, startBroker, type TestBroker } from '../helpers/broker.ts';
import { kcatSaslArgs, runKcat } from '../helpers/kcat.ts';

const KEY = 'FJTESTKEY0001';
const SECRET = 'c2VjcmV0LXRoYXQtaXMtMzItYnl0ZXMtbG9uZy0hIQ';
const LINES = 10_000;

describe('kcat (librdkafka) over SASL_PLAINTEXT/PLAIN', () => {
  let broker: TestBroker;
  let kafka: Kafka;
  const auth = kcatSaslArgs({ username: KEY, password: SECRET });

  beforeAll(async () => {
    broker = await startBroker({ auth: 'sasl_plain', credentials: [makeCredential(KEY, SECRET)] });
    kafka = new Kafka({
      brokers: [broker.address],
      sasl: { mechanism: 'plain', username: KEY, password: SECRET },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: ['none', 'gzip', 'snappy', 'lz4', 'zstd'].map((codec) => ({ topic: `lines-${codec}`, numPartitions: 2 })),
    });
    await admin.disconnect();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('produces %s-compressed lines and consumes them all back', async (codec) => {
    const topic = `lines-${codec}`;
    const lines = Array.from({ length: LINES }, (_, i) => `${codec} line ${i} ${'x'.repeat(i % 50)}`);
    const produced = await runKcat(['-b', broker.address, ...auth, '-P', '-t', topic, '-z', codec, '-X', 'acks=all'], `${lines.join('\n')}\n`);
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);

    const consumed = await runKcat(['-b', broker.address, ...auth, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-c', String(LINES)]);
    expect(consumed.code).toBe(0);
    const received = consumed.stdout.split('\n').filter((l) => l.length > 0);
    expect(received).toHaveLength(LINES);
    expect(received.sort()).toEqual([...lines].sort());
  });

  it('produces with enable.idempotence=true', async () => {
    const lines = Array.from({ length: LINES }, (_, i) => `idempotent ${i}`);
    const produced = await runKcat(['-b', broker.address, ...auth, '-P', '-t', 'lines-none', '-X', 'enable.idempotence=true'], `${lines.join('\n')}\n`);
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    const consumed = await runKcat(['-b', broker.address, ...auth, '-C', '-t', 'lines-none', '-o', 'beginning', '-e', '-q']);
    const received = consumed.stdout.split('\n').filter((l) => l.startsWith('idempotent '));
    expect(received.sort()).toEqual([...lines].sort());
  });

  it('consumes as a balanced consumer group and resumes from the committed offsets after a broker restart', async () => {
    const group = ['-b', broker.address, ...auth, '-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-q'];
    const first = await runKcat([...group, 'lines-gzip']);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter((l) => l.length > 0).sort()).toEqual(
      Array.from({ length: LINES }, (_, i) => `gzip line ${i} ${'x'.repeat(i % 50)}`).sort(),
    );

    const later = Array.from({ length: 100 }, (_, i) => `later ${i}`);
    const produced = await runKcat(['-b', broker.address, ...auth, '-P', '-t', 'lines-gzip', '-X', 'acks=all'], `${later.join('\n')}\n`);
    expect(produced.code).toBe(0);
    await broker.shutdown();
    await broker.restart();

    // The next member of the group starts where the first one committed: only the lines produced since.
    const next = await runKcat([...group, 'lines-gzip']);
    expect(next.code).toBe(0);
    expect(next.stdout.split('\n').filter((l) => l.length > 0).sort()).toEqual([...later].sort());
  });

  it('lists brokers and topics with -L', async () => {
    const listed = await runKcat(['-b', broker.address, ...auth, '-L', '-J']);
    expect(listed.code).toBe(0);
    const metadata = JSON.parse(listed.stdout) as { brokers: { id: number; name: string }[]; topics: { topic: string; partitions: unknown[] }[] };
    expect(metadata.brokers).toEqual([{ id: 0, name: broker.address }]);
    const lz4 = metadata.topics.find((t) => t.topic === 'lines-lz4');
    expect(lz4?.partitions).toHaveLength(2);
  });

  it('refuses a wrong password', async () => {
    const refused = await runKcat(
      ['-b', broker.address, ...kcatSaslArgs({ username: KEY, password: 'wrong' }), '-L', '-m', '1'],
      undefined,
      15_000,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Authentication failed|SASL authentication error/i);
  });

  it('refuses an unknown key', async () => {
    const refused = await runKcat(['-b', broker.address, ...kcatSaslArgs({ username: 'FJNOPE', password: SECRET }), '-L', '-m', '1']);
    expect(refused.code).not.toBe(0);
  });
});
