import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCredential, startBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/control-plane.ts';
import { kcatSaslArgs, runKcat } from '../helpers/kcat.ts';
import { RawKafkaClient } from '../helpers/raw-kafka-client.ts';
import { saslLogin } from '../helpers/sasl-login.ts';
import { testCertificates } from '../helpers/tls.ts';

const KEY = 'FJTLSKEY00001';
const SECRET = 'dGxzLXNlY3JldC10aGF0LWlzLTMyLWJ5dGVzLWxvbmch';
const LINES = 2_000;

/** Resolves once the server ends the connection, with what it sent before (a TLS alert at most, never a Kafka frame). */
function closedAfter(socket: net.Socket): Promise<Buffer> {
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  socket.on('error', () => undefined);
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(received))));
}

// SASL_SSL as customers use it: the broker serves a certificate signed by a CA, and kcat and kafkajs
// trust that CA only. A client that speaks plaintext to the TLS listener gets no Kafka answer.
describe('SASL_SSL against a broker with a CA-signed certificate', () => {
  let broker: TestBroker;
  let dir: string;
  let caPem: string;
  let caFile: string;
  let kafka: Kafka;

  beforeAll(async () => {
    const certificates = await testCertificates('127.0.0.1');
    caPem = certificates.caPem;
    dir = await mkdtemp(path.join(tmpdir(), 'fjord-tls-'));
    caFile = path.join(dir, 'ca.pem');
    await writeFile(caFile, caPem);
    broker = await startBroker({ auth: 'sasl_plain', credentials: [makeCredential(KEY, SECRET)], config: { tls: certificates.broker } });
    kafka = new Kafka({
      clientId: 'tls-test',
      brokers: [broker.address],
      ssl: { ca: [caPem] },
      sasl: { mechanism: 'plain', username: KEY, password: SECRET },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kcat-tls', numPartitions: 2 }, { topic: 'kafkajs-tls', numPartitions: 2 }] });
    await admin.disconnect();
  });

  afterAll(async () => {
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('kcat produces and consumes over SASL_SSL with ssl.ca.location', async () => {
    const auth = kcatSaslArgs({ username: KEY, password: SECRET, caFile });
    const lines = Array.from({ length: LINES }, (_, i) => `tls line ${i}`);
    const produced = await runKcat(['-b', broker.address, ...auth, '-P', '-t', 'kcat-tls', '-X', 'acks=all'], `${lines.join('\n')}\n`);
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    const consumed = await runKcat(['-b', broker.address, ...auth, '-C', '-t', 'kcat-tls', '-o', 'beginning', '-e', '-q']);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.split('\n').filter((l) => l.length > 0).sort()).toEqual([...lines].sort());
  });

  it('kafkajs produces and consumes over SASL_SSL with ssl: { ca }', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const values = Array.from({ length: 100 }, (_, i) => `kafkajs ${i}`);
    await producer.send({ topic: 'kafkajs-tls', acks: -1, messages: values.map((value) => ({ value })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'tls-group' });
    const received: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'kafkajs-tls', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value!.toString()) });
    try {
      await until('kafkajs to consume every record', () => (received.length >= values.length ? true : undefined), 30_000);
    } finally {
      await consumer.disconnect();
    }
    expect(received.sort()).toEqual([...values].sort());
  });

  it('refuses a client that does not trust the CA (the broker proves who it is)', async () => {
    const stranger = await testCertificates('127.0.0.1');
    const strangerFile = path.join(dir, 'stranger-ca.pem');
    await writeFile(strangerFile, stranger.caPem);
    const listed = await runKcat(['-b', broker.address, ...kcatSaslArgs({ username: KEY, password: SECRET, caFile: strangerFile }), '-L', '-m', '3']);
    expect(listed.code).not.toBe(0);
    expect(listed.stderr).toMatch(/certificate verify failed|SSL handshake failed/i);
  });

  it('refuses plaintext Kafka on the TLS listener without answering it, and keeps serving TLS clients', async () => {
    // A Kafka ApiVersions request in the clear: the broker reads it as a bad TLS record and drops the connection.
    const raw = net.connect({ host: broker.host, port: broker.port });
    const ended = closedAfter(raw);
    raw.write(Buffer.from('0000001400120003000000010008706c61696e2d636c00', 'hex'));
    const answer = await ended;
    expect(answer.length === 0 || answer[0] === 0x15 /* a TLS alert record */).toBe(true);

    // kcat speaking SASL_PLAINTEXT to it fails too.
    const plaintext = await runKcat(['-b', broker.address, ...kcatSaslArgs({ username: KEY, password: SECRET }), '-L', '-m', '3']);
    expect(plaintext.code).not.toBe(0);

    // A client that opens TCP and says nothing is dropped at the handshake deadline at the latest; meanwhile TLS logins work.
    const silent = net.connect({ host: broker.host, port: broker.port });
    let silentClosed = false;
    void closedAfter(silent).then(() => (silentClosed = true));
    const login = await saslLogin(broker.address, KEY, SECRET, { caPem });
    expect(login.ok).toBe(true);
    login.client.close();
    await until('the silent connection to be dropped', () => (silentClosed ? true : undefined), 15_000, 200);
    expect(broker.process.exitCode).toBeNull();

    const wrongName = tls.connect({ host: broker.host, port: broker.port, ca: caPem, servername: 'kafka.example.com' });
    const refused = await new Promise<Error>((resolve) => wrongName.once('error', resolve));
    expect(refused.message).toMatch(/kafka\.example\.com|altnames/i);
    wrongName.destroy();

    const client = await RawKafkaClient.connect(broker.port, broker.host, { caPem });
    expect(client.isClosed).toBe(false);
    client.close();
  });
});
