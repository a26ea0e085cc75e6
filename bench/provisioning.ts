/**
 * Cluster provisioning time, create -> RUNNING, through the real control plane (`apps/control-plane/src/main.ts`
 * as a process, embedded PGlite, local orchestrator), next to how long a bare broker process takes to start,
 * measured in the same run:
 *   - baseline: `node -e 0` (the floor any Node process pays), then the broker process alone (the built bundle
 *     the orchestrator runs, test/helpers/broker.ts, no control plane), from the start call until its
 *     `broker listening` line and until it answers ApiVersions; one cold start first, not counted
 *   - sequential: clusters created one at a time, each waited for, from just before its POST until the long
 *     poll GET /v1/clusters/:id?waitFor=RUNNING answers RUNNING; the clusters stay up as the next ones are made
 *   - idle RSS of each sequential cluster's broker, a second after the last one started
 *   - burst: clusters created all at once (their POSTs in parallel), each timed from just before the POSTs
 *     until the cluster list (one GET polled every 50 ms, so the polling load does not grow with the burst)
 *     shows it RUNNING
 * Where the time goes, on one clock: the `cluster.requested` and `cluster.running` events, and from the local
 * orchestrator's files the broker's spawn (its pid file's startedAt) and its `broker listening` log line.
 * Every cluster is deleted through the API (all at once) and timed until the cluster list no longer has it, then
 * each is checked to answer 404; the control plane is stopped and its data dir removed; a broker still running
 * at the end is killed and reported. Polling stays one request at a time on purpose: the control plane serves
 * ~150 requests/s through the embedded PGlite, and a poller per cluster would saturate it and time itself.
 * Goals: bare broker start -> listening p50 < 300 ms; sequential create -> RUNNING p50 < 500 ms, p99 < 1 s; a burst of
 * 20 all RUNNING within 5 s; idle RSS per broker < 60 MB; a new cluster API key accepted on its first login, a
 * deleted one refused within 1 s.
 * Run: `npx tsx bench/provisioning.ts [--clusters 20] [--burst 20] [--baseline 20] [--keys 10]` (`0` skips a
 * phase). Progress on stderr, the table on stdout; not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Api } from '@fjord/kafka-protocol';
import { createClient, FjordApiError, type Cluster, type FjordClient } from '@fjord/sdk';
import { repoRoot, startControlPlane, type RunningControlPlane } from '../apps/control-plane/test/process.ts';
import { startBroker } from '../test/helpers/broker.ts';
import { brokerPidFiles, processesUnder } from '../test/helpers/control-plane.ts';
import { RawKafkaClient } from '../test/helpers/raw-kafka-client.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '20' },
    burst: { type: 'string', default: '20' },
    baseline: { type: 'string', default: '20' },
    keys: { type: 'string', default: '10' },
  },
});
const CLUSTERS = Number(values.clusters);
const BURST = Number(values.burst);
const BASELINE = Number(values.baseline);
const KEYS = Number(values.keys);
const POLL_MS = 50;
const RUNNING_TIMEOUT_MS = 120_000;
const goals: { what: string; met: boolean; figure: string }[] = [];
const goal = (what: string, met: boolean, figure: string) => goals.push({ what, met, figure });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const progress = (line: string) => console.error(line);
const ms = (n: number) => n.toFixed(0);

/** Nearest-rank percentile: with 20 samples p99 is the largest one. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Row {
  measurement: string;
  n: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
}
const rows: Row[] = [];
function record(measurement: string, samples: number[]): Row {
  const sorted = [...samples].sort((a, b) => a - b);
  const row = { measurement, n: sorted.length, min: sorted[0]!, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)! };
  rows.push(row);
  return row;
}

/** A cluster's timeline: client side (performance.now()), and on the wall clock from its events and its broker's files. */
interface Timing {
  id: string;
  /** Just before the POST until the POST answered. */
  postMs: number;
  /** Just before the POST until the wait answered RUNNING. */
  runningMs: number;
  /** `cluster.requested` -> `cluster.running` event timestamps. */
  serverMs: number;
  /** `cluster.requested` -> the broker process spawned (pid file's startedAt). */
  spawnMs: number;
  /** Broker spawned -> its `broker listening` line (includes fetching its config from the control plane). */
  listenMs: number;
  /** `broker listening` -> `cluster.running` (orchestrator noticing, the SASL probe, the status change). */
  probeMs: number;
}

async function problemStatus(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    if (err instanceof FjordApiError) return err.status;
    throw err;
  }
}

/** The cluster's timeline on the wall clock, from its events and the local orchestrator's files of its broker. */
async function breakdown(api: FjordClient, dataDir: string, id: string): Promise<Omit<Timing, 'id' | 'postMs' | 'runningMs'>> {
  let requested: number | undefined;
  let running: number | undefined;
  for await (const e of api.clusters.allEvents(id)) {
    if (e.type === 'cluster.requested') requested = Date.parse(e.createdAt);
    if (e.type === 'cluster.running') running = Date.parse(e.createdAt);
  }
  if (requested === undefined || running === undefined) throw new Error(`cluster ${id}: no requested/running events`);
  const dir = path.join(dataDir, 'clusters', id);
  const { startedAt } = JSON.parse(await readFile(path.join(dir, 'broker-0.pid'), 'utf8')) as { startedAt: number };
  const listening = (await readFile(path.join(dir, 'broker-0.log'), 'utf8'))
    .split('\n')
    .filter((line) => line.includes('"broker listening"'))
    .map((line) => (JSON.parse(line) as { time: number }).time)
    .at(-1);
  if (listening === undefined) throw new Error(`cluster ${id}: no "broker listening" line in its broker log`);
  return { serverMs: running - requested, spawnMs: startedAt - requested, listenMs: listening - startedAt, probeMs: running - listening };
}

function failedOrRunning(c: Cluster): boolean {
  if (c.status === 'FAILED') throw new Error(`cluster ${c.id} FAILED: ${c.failureReason ?? 'no reason given'}`);
  return c.status === 'RUNNING';
}

async function nodeFloor(): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < BASELINE; i++) {
    const start = performance.now();
    execFileSync(process.execPath, ['-e', '0']);
    samples.push(performance.now() - start);
  }
  record('bare `node -e 0` (the floor)', samples);
}

async function baseline(): Promise<void> {
  const once = async () => {
    const start = performance.now();
    const broker = await startBroker();
    const listening = performance.now() - start;
    try {
      const client = await RawKafkaClient.connect(broker.port);
      try {
        await client.request(Api.ApiVersions, 3, { clientSoftwareName: 'bench', clientSoftwareVersion: '1' });
      } finally {
        client.close();
      }
      return { listening, answering: performance.now() - start };
    } finally {
      await broker.stop();
    }
  };
  const cold = await once();
  progress(`[baseline] first (cold) broker start: listening after ${ms(cold.listening)} ms, ApiVersions after ${ms(cold.answering)} ms (not counted)`);
  const listening: number[] = [];
  const answering: number[] = [];
  for (let i = 1; i <= BASELINE; i++) {
    const t = await once();
    listening.push(t.listening);
    answering.push(t.answering);
    progress(`[baseline ${i}/${BASELINE}] listening ${ms(t.listening)} ms, ApiVersions ${ms(t.answering)} ms`);
  }
  const row = record('bare broker process: start -> "broker listening"', listening);
  record('bare broker process: start -> ApiVersions answered', answering);
  goal('bare broker start -> listening p50 < 300 ms', row.p50 < 300, `p50 ${ms(row.p50)} ms`);
}

async function sequential(api: FjordClient, dataDir: string, ids: string[]): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (let i = 1; i <= CLUSTERS; i++) {
    const start = performance.now();
    const cluster = await api.clusters.create({ name: `bench-seq-${i}`, plan: 'basic' });
    const postMs = performance.now() - start;
    ids.push(cluster.id);
    await api.clusters.waitFor(cluster.id, 'RUNNING', { timeoutMs: RUNNING_TIMEOUT_MS });
    const runningMs = performance.now() - start;
    const timing = { id: cluster.id, postMs, runningMs, ...(await breakdown(api, dataDir, cluster.id)) };
    timings.push(timing);
    progress(
      `[sequential ${i}/${CLUSTERS}] ${cluster.id} RUNNING after ${ms(runningMs)} ms ` +
        `(POST ${ms(postMs)}, requested->spawned ${ms(timing.spawnMs)}, spawned->listening ${ms(timing.listenMs)}, listening->RUNNING ${ms(timing.probeMs)} ms)`,
    );
  }
  return timings;
}

async function burst(api: FjordClient, dataDir: string, ids: string[]): Promise<{ timings: Timing[]; allMs: number }> {
  const start = performance.now();
  const posted = await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const cluster = await api.clusters.create({ name: `bench-burst-${i + 1}`, plan: 'basic' });
      ids.push(cluster.id);
      return { id: cluster.id, postMs: performance.now() - start };
    }),
  );
  progress(`[burst] ${BURST} POSTs answered after ${ms(Math.max(...posted.map((p) => p.postMs)))} ms`);
  const runningAt = new Map<string, number>();
  const mine = new Set(posted.map((p) => p.id));
  while (runningAt.size < BURST) {
    for await (const c of api.clusters.all()) {
      if (!mine.has(c.id) || runningAt.has(c.id) || !failedOrRunning(c)) continue;
      const t = performance.now() - start;
      runningAt.set(c.id, t);
      progress(`[burst ${runningAt.size}/${BURST}] ${c.id} RUNNING after ${ms(t)} ms`);
    }
    if (runningAt.size < BURST) {
      if (performance.now() - start > RUNNING_TIMEOUT_MS) throw new Error(`only ${runningAt.size} of ${BURST} clusters RUNNING after ${RUNNING_TIMEOUT_MS} ms`);
      await sleep(POLL_MS);
    }
  }
  const allMs = performance.now() - start;
  const timings: Timing[] = [];
  for (const p of posted) timings.push({ ...p, runningMs: runningAt.get(p.id)!, ...(await breakdown(api, dataDir, p.id)) });
  return { timings, allMs };
}

/**
 * Deletes the clusters through the API, all at once, and times each from just before its DELETE until the
 * cluster list (one GET polled every 100 ms) no longer has it; then checks that each answers 404.
 */
async function deleteAll(api: FjordClient, ids: string[], label: string): Promise<number[]> {
  const start = performance.now();
  const deletedAt = new Map<string, number>();
  await Promise.all(
    ids.map(async (id) => {
      deletedAt.set(id, performance.now() - start);
      await api.clusters.delete(id);
    }),
  );
  const times = new Map<string, number>();
  while (times.size < ids.length) {
    if (performance.now() - start > RUNNING_TIMEOUT_MS) throw new Error(`${ids.length - times.size} clusters still listed ${RUNNING_TIMEOUT_MS} ms after DELETE`);
    await sleep(100);
    const listed = new Set<string>();
    for await (const c of api.clusters.all()) listed.add(c.id);
    const before = times.size;
    for (const id of ids) if (!listed.has(id) && !times.has(id)) times.set(id, performance.now() - start - deletedAt.get(id)!);
    if (times.size !== before) progress(`[${label} delete] ${times.size}/${ids.length} gone after ${ms(performance.now() - start)} ms`);
  }
  for (const id of ids) {
    const status = await problemStatus(api.clusters.get(id));
    if (status !== 404) throw new Error(`cluster ${id} is not in the list but GET answers ${status ?? 200}`);
  }
  progress(`[${label} delete] every cluster answers 404`);
  ids.length = 0;
  return [...times.values()];
}

/** Resident memory of each broker, from /proc, after it has been idle a moment. */
async function idleRss(dataDir: string, ids: string[]): Promise<void> {
  await sleep(1_000);
  const mb: number[] = [];
  for (const id of ids) {
    const { pid } = JSON.parse(await readFile(path.join(dataDir, 'clusters', id, 'broker-0.pid'), 'utf8')) as { pid: number };
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    mb.push(Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024);
  }
  const row = record('idle broker RSS (MB)', mb);
  goal('idle RSS per broker < 60 MB', row.max < 60, `max ${row.max.toFixed(1)} MB`);
}

function summarize(label: string, timings: Timing[]): void {
  record(`${label}: create -> RUNNING (client)`, timings.map((t) => t.runningMs));
  record(`${label}: POST answered`, timings.map((t) => t.postMs));
  record(`${label}: requested -> running (server events)`, timings.map((t) => t.serverMs));
  record(`${label}:   requested -> broker spawned`, timings.map((t) => t.spawnMs));
  record(`${label}:   spawned -> "broker listening"`, timings.map((t) => t.listenMs));
  record(`${label}:   "broker listening" -> running`, timings.map((t) => t.probeMs));
}

/**
 * How long a new cluster API key takes to be accepted by the cluster's broker, and a deleted one to be
 * refused for new connections (the broker polls the control plane): a fresh connection authenticating
 * with SASL/PLAIN every 20 ms, so the figure is the broker's, not a client's retry timers.
 */
async function keyPropagation(api: FjordClient, id: string): Promise<void> {
  const { bootstrapServers } = await api.clusters.get(id);
  const [host, port] = bootstrapServers.split(':');
  // Over TLS, as every client of a cluster connects: the handshake is part of the figure.
  const tls = { caPem: await api.clusters.caPem(id) };
  const accepts = async (username: string, password: string) => {
    const client = await RawKafkaClient.connect(Number(port), host, tls);
    try {
      await client.request(Api.SaslHandshake, 1, { mechanism: 'PLAIN' });
      const auth = await client.request(Api.SaslAuthenticate, 1, { authBytes: Buffer.from(`\0${username}\0${password}`) });
      return auth.errorCode === 0;
    } catch {
      // A refused login may close the connection before or after its answer.
      return false;
    } finally {
      client.close();
    }
  };
  const firstLogins: boolean[] = [];
  // Timed to when the login that got the wanted answer was sent: a refusal is decided then, and its
  // answer is held back on purpose (the broker's back-off after failed logins).
  const waitFor = async (want: boolean, username: string, password: string) => {
    const start = performance.now();
    for (;;) {
      const sentAt = performance.now();
      if ((await accepts(username, password)) === want) return sentAt - start;
      if (performance.now() - start > RUNNING_TIMEOUT_MS) throw new Error(`key ${username} still ${want ? 'refused' : 'accepted'}`);
      await sleep(20);
    }
  };
  const accepted: number[] = [];
  const refused: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const key = await api.clusterApiKeys.create(id, { description: `bench ${i}` });
    firstLogins.push(await accepts(key.key, key.secret));
    accepted.push(await waitFor(true, key.key, key.secret));
    await api.clusterApiKeys.delete(id, key.id);
    refused.push(await waitFor(false, key.key, key.secret));
    progress(`[keys] ${i + 1}/${KEYS}: accepted after ${ms(accepted.at(-1)!)} ms, refused after ${ms(refused.at(-1)!)} ms`);
  }
  record('cluster API key created -> accepted by the broker', accepted);
  const revoked = record('cluster API key deleted -> refused for new connections', refused);
  const first = firstLogins.filter(Boolean).length;
  goal('a new key accepted on its first login', first === firstLogins.length, `${first}/${firstLogins.length} first logins accepted`);
  goal('a deleted key refused within 1 s', revoked.max < 1_000, `max ${ms(revoked.max)} ms`);
}

/** Stops the control plane, kills whatever broker is left (reporting it), removes the data dir. */
async function cleanup(cp: RunningControlPlane | undefined, dataDir: string): Promise<void> {
  await cp?.stop().catch(() => undefined);
  const leftovers = new Set(await processesUnder(dataDir));
  for (const pidFile of await brokerPidFiles(dataDir)) {
    const { pid } = JSON.parse(await readFile(pidFile, 'utf8')) as { pid: number };
    leftovers.add(pid);
  }
  for (const pid of leftovers) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  progress(leftovers.size === 0 ? 'cleanup: no broker process left behind' : `cleanup: killed ${leftovers.size} leftover process(es): ${[...leftovers].join(' ')}`);
  await rm(dataDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-bench-provisioning-'));
  let cp: RunningControlPlane | undefined;
  const ids: string[] = [];
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    progress('interrupted: cleaning up');
    void cleanup(cp, dataDir).finally(() => process.exit(130));
  });
  let api: FjordClient | undefined;
  let sequentialTimings: Timing[] = [];
  // Brokers start from the built bundle, as under `npm start`: build it from the sources as they are.
  execFileSync(process.execPath, [path.join(repoRoot, 'apps/broker/scripts/build.mjs')], { stdio: 'inherit' });
  try {
    const cpStart = performance.now();
    cp = await startControlPlane([process.execPath, '--import', 'tsx', 'apps/control-plane/src/main.ts'], {
      cwd: repoRoot,
      env: { FJORD_DATA_DIR: dataDir, FJORD_ORCHESTRATOR: 'local' },
    });
    progress(`control plane listening at ${cp.url} after ${ms(performance.now() - cpStart)} ms (data in ${dataDir})`);
    api = createClient({ baseUrl: cp.url });
    await api.signup({ email: `bench-${Date.now()}@example.com`, password: 'correct horse battery staple', organizationName: 'Bench provisioning' });

    if (BASELINE > 0) await nodeFloor();
    if (BASELINE > 0) await baseline();

    if (CLUSTERS > 0) {
      sequentialTimings = await sequential(api, dataDir, ids);
      summarize(`sequential ${CLUSTERS}`, sequentialTimings);
      await idleRss(dataDir, ids);
      if (KEYS > 0) await keyPropagation(api, ids[0]!);
      // The next phase starts from no clusters, as this one did.
      record(`delete ${ids.length} at once -> gone from the list`, await deleteAll(api, ids, 'sequential'));
    }
    if (BURST > 0) {
      const { timings, allMs } = await burst(api, dataDir, ids);
      progress(`[burst] all ${BURST} RUNNING after ${ms(allMs)} ms`);
      record(`burst of ${BURST}: all RUNNING`, [allMs]);
      goal(`a burst of ${BURST} all RUNNING within 5 s`, allMs < 5_000, `${ms(allMs)} ms`);
      summarize(`burst of ${BURST}`, timings);
      record(`delete ${ids.length} at once -> gone from the list`, await deleteAll(api, ids, 'burst'));
    }
  } catch (err) {
    // Why, from the control plane's side: its warnings and errors (the broker logs go with the data dir).
    for (const entry of cp?.logs.filter((l) => (l.level as number) >= 40).slice(-40) ?? []) progress(`control plane: ${JSON.stringify(entry)}`);
    throw err;
  } finally {
    if (!interrupted) {
      if (api && ids.length > 0) await deleteAll(api, ids, 'leftover').catch((err: unknown) => progress(`deleting leftover clusters failed: ${String(err)}`));
      await cleanup(cp, dataDir);
    }
  }

  const cell = (n: number) => ms(n).padStart(6);
  console.log(`\nprovisioning bench: node ${process.version}, embedded PGlite, local orchestrator; times in ms (nearest-rank percentiles: below 100 samples p99 is the max)`);
  console.log(`| measurement | n | min | p50 | p99 | max |\n| --- | ---: | ---: | ---: | ---: | ---: |`);
  for (const r of rows) console.log(`| ${r.measurement} | ${r.n} | ${cell(r.min)} | ${cell(r.p50)} | ${cell(r.p99)} | ${cell(r.max)} |`);
  if (sequentialTimings.length > 0) {
    const sorted = sequentialTimings.map((t) => t.runningMs).sort((a, b) => a - b);
    const [p50, p99] = [percentile(sorted, 50), percentile(sorted, 99)];
    goal('sequential create -> RUNNING p50 < 500 ms, p99 < 1 s', p50 < 500 && p99 < 1_000, `p50 ${ms(p50)} ms, p99 ${ms(p99)} ms`);
  }
  console.log('');
  for (const g of goals) console.log(`goal: ${g.what}: ${g.met ? 'met' : 'NOT met'} (${g.figure})`);
}

await main();
