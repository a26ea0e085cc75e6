import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_PROCESS_ENV } from '@fjord/broker-contract';
import {
  findFreePort,
  LocalOrchestrator,
  OrchestratorError,
  type BrokerSpec,
  type BrokerStatus,
  type Orchestrator,
} from '@fjord/orchestrator';

/** Sends a hand-encoded ApiVersions v0 request and returns the response's error code and api keys. */
async function apiVersions(port: number, correlationId: number): Promise<{ errorCode: number; apiKeys: number[] }> {
  const clientId = Buffer.from('fjord-orchestrator-test');
  // Request header v1: api_key int16, api_version int16, correlation_id int32, client_id nullable string; empty v0 body.
  const header = Buffer.alloc(2 + 2 + 4 + 2);
  header.writeInt16BE(18, 0);
  header.writeInt16BE(0, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const body = Buffer.concat([header, clientId]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);

  const response = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    socket.setTimeout(5_000, () => socket.destroy(new Error('no ApiVersions response within 5 s')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        socket.end();
        resolve(received.subarray(4, 4 + received.readInt32BE(0)));
      }
    });
    socket.write(Buffer.concat([size, body]));
  });

  // Response v0: correlation_id int32, error_code int16, [api_key int16, min_version int16, max_version int16].
  expect(response.readInt32BE(0)).toBe(correlationId);
  const errorCode = response.readInt16BE(4);
  const count = response.readInt32BE(6);
  const apiKeys = Array.from({ length: count }, (_, i) => response.readInt16BE(10 + i * 6));
  return { errorCode, apiKeys };
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await delay(50);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let dataDir: string;
let orchestrator: Orchestrator;
let spec: BrokerSpec;

// The control plane's own settings, present in the orchestrator's process as in a real deployment.
const CONTROL_PLANE_SECRETS = {
  DATABASE_URL: 'postgresql://fjord:db-password-must-stay@127.0.0.1:5432/fjord',
  FJORD_SECRET_KEY: 'c2VydmVyLXNlY3JldC1tdXN0LXN0YXktaW4tdGhlLWNvbnRyb2wtcGxhbmU=',
};
const savedEnv = Object.fromEntries(Object.keys(CONTROL_PLANE_SECRETS).map((name) => [name, process.env[name]]));

beforeAll(async () => {
  Object.assign(process.env, CONTROL_PLANE_SECRETS, { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' });
  dataDir = await mkdtemp(join(tmpdir(), 'fjord-orchestrator-'));
  orchestrator = new LocalOrchestrator({ kind: 'local', dataDir, stopGraceMs: 5_000 });
  spec = {
    clusterId: 'c_local1',
    nodeId: 0,
    host: '127.0.0.1',
    port: await findFreePort('127.0.0.1'),
    config: { auth: 'none', log: { flush: 'none' } },
  };
});

afterAll(async () => {
  for (const broker of await orchestrator.list()) {
    await orchestrator.stopBroker(broker.clusterId, broker.nodeId);
  }
  await orchestrator.close();
  await rm(dataDir, { recursive: true, force: true });
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('local orchestrator with the real broker', () => {
  let first: BrokerStatus;

  it('starts a broker on the allocated port with its own data dir, and it speaks Kafka', async () => {
    // Two reconciler passes racing each other start one broker, not two.
    const [a, b] = await Promise.all([orchestrator.ensureBroker(spec), orchestrator.ensureBroker(spec)]);
    expect(b.pid).toBe(a.pid);
    first = a;

    expect(first).toMatchObject({
      clusterId: 'c_local1',
      nodeId: 0,
      state: 'running',
      endpoint: { host: '127.0.0.1', port: spec.port },
    });
    expect(processExists(first.pid!)).toBe(true);

    const clusterDir = join(dataDir, 'clusters', 'c_local1');
    const written = JSON.parse(await readFile(join(clusterDir, 'broker-0.json'), 'utf8'));
    expect(written).toEqual({
      clusterId: 'c_local1',
      nodeId: 0,
      auth: 'none',
      log: { flush: 'none' },
      listen: { host: '127.0.0.1', port: spec.port },
      dataDir: join(clusterDir, 'broker-0'),
    });
    expect(existsSync(join(clusterDir, 'broker-0'))).toBe(true);

    // The broker runs as built JavaScript: plain node and the bundle, no TypeScript loader on its start path.
    const argv = (await readFile(`/proc/${first.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    expect(argv).toEqual([process.execPath, fileURLToPath(new URL('../../../apps/broker/dist/main.js', import.meta.url)), '--config', join(clusterDir, 'broker-0.json')]);
    expect(argv.join(' ')).not.toMatch(/tsx|--import|--loader|--experimental/);

    const answer = await apiVersions(spec.port, 7);
    expect(answer.errorCode).toBe(0);
    expect(answer.apiKeys).toContain(18);
  });

  it("spawns the broker with the environment the contract names, none of the control plane's secrets", async () => {
    const environ = await readFile(`/proc/${first.pid}/environ`, 'utf8');
    const names = environ.split('\0').filter(Boolean).map((entry) => entry.slice(0, entry.indexOf('=')));
    expect(names).not.toContain('DATABASE_URL');
    expect(names).not.toContain('FJORD_SECRET_KEY');
    for (const value of Object.values(CONTROL_PLANE_SECRETS)) expect(environ).not.toContain(value);
    expect(names.every((name) => (BROKER_PROCESS_ENV as readonly string[]).includes(name))).toBe(true);
    // What it needs to run still reaches it.
    expect(names).toContain('PATH');
    expect(names).toContain('LOG_LEVEL');
  });

  it('leaves a broker that runs with the same spec alone', async () => {
    const again = await orchestrator.ensureBroker(spec);
    expect(again.pid).toBe(first.pid);
    expect(await orchestrator.health('c_local1', 0)).toMatchObject({ state: 'running', pid: first.pid });
  });

  it('brings a broker killed with SIGKILL back on the same port with the same data dir', async () => {
    const kafka = new Kafka({ clientId: 'orchestrator-test', brokers: [`127.0.0.1:${spec.port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await producer.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }], waitForLeaders: true });
    await producer.send({ topic: 'orders', acks: -1, messages: [{ value: 'order-1' }, { value: 'order-2' }] });
    await producer.disconnect();
    await admin.disconnect();

    process.kill(first.pid!, 'SIGKILL');
    await until('the killed broker is reported failed', async () => (await orchestrator.health('c_local1', 0)).state === 'failed');
    const failed = await orchestrator.health('c_local1', 0);
    expect(failed.reason).toContain(`broker process ${first.pid} is gone`);

    const restarted = await orchestrator.ensureBroker(spec);

    expect(restarted.state).toBe('running');
    expect(restarted.pid).not.toBe(first.pid);
    expect(restarted.endpoint).toEqual({ host: '127.0.0.1', port: spec.port });
    const written = JSON.parse(await readFile(join(dataDir, 'clusters', 'c_local1', 'broker-0.json'), 'utf8'));
    expect(written.dataDir).toBe(join(dataDir, 'clusters', 'c_local1', 'broker-0'));
    expect((await apiVersions(spec.port, 8)).errorCode).toBe(0);

    const adminAfter = kafka.admin();
    await adminAfter.connect();
    try {
      expect(await adminAfter.fetchTopicOffsets('orders')).toEqual([
        expect.objectContaining({ partition: 0, low: '0', high: '2' }),
      ]);
    } finally {
      await adminAfter.disconnect();
    }
    first = restarted;
  });

  it('lets a second orchestrator on the same data dir adopt the running broker', async () => {
    const restartedControlPlane = new LocalOrchestrator({ kind: 'local', dataDir });
    try {
      expect(await restartedControlPlane.list()).toEqual([
        {
          clusterId: 'c_local1',
          nodeId: 0,
          state: 'running',
          pid: first.pid,
          endpoint: { host: '127.0.0.1', port: spec.port },
        },
      ]);
      const adopted = await restartedControlPlane.ensureBroker(spec);
      expect(adopted.pid).toBe(first.pid);
    } finally {
      await restartedControlPlane.close();
    }
    expect(processExists(first.pid!)).toBe(true);
  });

  it('restarts the broker when its config changes', async () => {
    const changed = { ...spec, config: { ...spec.config, limits: { maxPartitions: 10 } } };
    const restarted = await orchestrator.ensureBroker(changed);
    expect(restarted.pid).not.toBe(first.pid);
    expect(processExists(first.pid!)).toBe(false);
    expect((await apiVersions(spec.port, 9)).errorCode).toBe(0);
    spec = changed;
    first = restarted;
  });

  it('reports a broker that rejects its config as a non-retriable start failure with its message', async () => {
    const bad = { ...spec, nodeId: 1, port: await findFreePort('127.0.0.1'), config: { auth: 'kerberos' as never } };
    const err = await orchestrator.ensureBroker(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrchestratorError);
    expect(err).toMatchObject({ code: 'FJ_ORCH_BROKER_EXITED', retriable: false });
    expect((err as Error).message).toContain('exit code 1');
    // The broker's own explanation, read from its log, becomes the reason the reconciler records.
    expect((err as Error).message).toMatch(/invalid config.*auth/);
    expect(await orchestrator.health('c_local1', 1)).toMatchObject({ state: 'stopped' });
  });

  it('reports a port taken by another process as a start failure naming the cause', async () => {
    const squatter = createServer().listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const { port } = squatter.address() as AddressInfo;
    try {
      // Node 1's log still holds the bad-config run above: only this run's output may be reported.
      const err = await orchestrator.ensureBroker({ ...spec, nodeId: 1, port }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'FJ_ORCH_BROKER_EXITED' });
      expect((err as Error).message).toContain('EADDRINUSE');
      expect((err as Error).message).not.toContain('invalid config');
    } finally {
      squatter.close();
      await orchestrator.stopBroker('c_local1', 1, { deleteData: true });
    }
  });

  it('keeps a broker running when the process that started it is killed, and adopts it', async () => {
    const standIn = fileURLToPath(new URL('./fixtures/control-plane-stand-in.ts', import.meta.url));
    const other = { ...spec, nodeId: 2, port: await findFreePort('127.0.0.1') };
    const controlPlane = spawn(process.execPath, ['--import', 'tsx', standIn, dataDir, JSON.stringify(other)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(controlPlane.stdout!, 'data')) as [Buffer];
      const started = JSON.parse(line.toString()) as BrokerStatus;
      expect(started).toMatchObject({ state: 'running', endpoint: { port: other.port } });

      controlPlane.kill('SIGKILL');
      await once(controlPlane, 'exit');

      expect(processExists(started.pid!)).toBe(true);
      expect(await orchestrator.health('c_local1', 2)).toMatchObject({ state: 'running', pid: started.pid });
      expect((await orchestrator.ensureBroker(other)).pid).toBe(started.pid);
      expect((await apiVersions(other.port, 10)).errorCode).toBe(0);
    } finally {
      controlPlane.kill('SIGKILL');
      await orchestrator.stopBroker('c_local1', 2, { deleteData: true });
    }
  });

  it('stops the broker, idempotently, and deletes its data when asked', async () => {
    await orchestrator.stopBroker('c_local1', 0);
    expect(processExists(first.pid!)).toBe(false);
    expect(await orchestrator.health('c_local1', 0)).toMatchObject({ state: 'stopped' });
    expect(existsSync(join(dataDir, 'clusters', 'c_local1', 'broker-0'))).toBe(true);

    await orchestrator.stopBroker('c_local1', 0, { deleteData: true });
    expect(existsSync(join(dataDir, 'clusters', 'c_local1'))).toBe(false);
    expect(await orchestrator.list()).toEqual([]);
  });

  it('rejects a spec that would escape the data dir', async () => {
    await expect(orchestrator.ensureBroker({ ...spec, clusterId: '../etc' })).rejects.toMatchObject({
      code: 'FJ_ORCH_INVALID_SPEC',
    });
  });
});

describe('local orchestrator: stopAll on a clean stop of the control plane', () => {
  const GRACE_MS = 1_500;
  let stopDir: string;
  let stopping: LocalOrchestrator;
  let specs: BrokerSpec[];
  let pids: number[];

  beforeAll(async () => {
    stopDir = await mkdtemp(join(tmpdir(), 'fjord-orchestrator-stop-all-'));
    stopping = new LocalOrchestrator({ kind: 'local', dataDir: stopDir, stopGraceMs: GRACE_MS });
    specs = [];
    for (const clusterId of ['c_stop1', 'c_stop2', 'c_stop3']) {
      specs.push({ clusterId, nodeId: 0, host: '127.0.0.1', port: await findFreePort('127.0.0.1'), config: { auth: 'none' } });
    }
    pids = (await Promise.all(specs.map((s) => stopping.ensureBroker(s)))).map((s) => s.pid!);
  }, 60_000);

  afterAll(async () => {
    for (const pid of pids ?? []) if (processExists(pid)) process.kill(pid, 'SIGKILL');
    await rm(stopDir, { recursive: true, force: true });
  });

  it('stops every running broker at once, SIGKILLs a hung one after the grace period, keeps their data, and starts nothing after', async () => {
    const kafka = new Kafka({ clientId: 'stop-all-test', brokers: [`127.0.0.1:${specs[0].port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await producer.connect();
    await producer.send({ topic: 'orders', acks: -1, messages: [{ value: 'order-1' }, { value: 'order-2' }] });
    await producer.disconnect();
    // A stopped process cannot handle SIGTERM: it stands for a broker that hangs on its way out.
    process.kill(pids[2], 'SIGSTOP');

    const reported: string[] = [];
    const started = Date.now();
    const stopped = await stopping.stopAll((b) => reported.push(b.clusterId));
    const elapsed = Date.now() - started;

    expect(stopped.map(({ clusterId, pid, outcome }) => ({ clusterId, pid, outcome }))).toEqual([
      { clusterId: 'c_stop1', pid: pids[0], outcome: 'terminated' },
      { clusterId: 'c_stop2', pid: pids[1], outcome: 'terminated' },
      { clusterId: 'c_stop3', pid: pids[2], outcome: 'killed' },
    ]);
    expect(reported.sort()).toEqual(['c_stop1', 'c_stop2', 'c_stop3']);
    expect(stopped[2].ms).toBeGreaterThanOrEqual(GRACE_MS);
    // In parallel: the hung broker's grace period is the whole wait, not one per broker.
    expect(elapsed).toBeLessThan(GRACE_MS + 3_000);
    for (const pid of pids) expect(processExists(pid)).toBe(false);
    for (const s of specs) {
      expect(existsSync(join(stopDir, 'clusters', s.clusterId, 'broker-0.pid'))).toBe(false);
      expect(existsSync(join(stopDir, 'clusters', s.clusterId, 'broker-0'))).toBe(true);
    }
    const log = await readFile(join(stopDir, 'clusters', 'c_stop1', 'broker-0.log'), 'utf8');
    expect(log).toContain('"broker stopped"');

    expect((await stopping.list()).map((b) => b.state)).toEqual(['stopped', 'stopped', 'stopped']);
    await expect(stopping.ensureBroker(specs[0])).rejects.toMatchObject({ code: 'FJ_ORCH_STOPPED', retriable: true });
    expect(await stopping.stopAll()).toEqual([]);
  });

  it('lets the next orchestrator on the data dir start them again on their ports with their data', async () => {
    const next = new LocalOrchestrator({ kind: 'local', dataDir: stopDir, stopGraceMs: GRACE_MS });
    try {
      const back = await next.ensureBroker(specs[0]);
      pids.push(back.pid!);
      expect(back).toMatchObject({ state: 'running', endpoint: { host: '127.0.0.1', port: specs[0].port } });
      const kafka = new Kafka({ clientId: 'stop-all-test', brokers: [`127.0.0.1:${specs[0].port}`], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      try {
        expect(await admin.fetchTopicOffsets('orders')).toEqual([expect.objectContaining({ partition: 0, low: '0', high: '2' })]);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await next.stopAll();
      await next.close();
    }
    expect(processExists(pids[3])).toBe(false);
  });
});
