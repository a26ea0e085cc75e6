import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { FjordApiError, type FjordClient } from '@fjord/sdk';
import { repoRoot, startControlPlane, type RunningControlPlane } from '../../apps/control-plane/test/process.ts';

/** Polls `probe` until it returns a value; tests wait generously, the goals are measured in bench/. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 45_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The problem an SDK call fails with. */
export async function problemOf(call: Promise<unknown>): Promise<FjordApiError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof FjordApiError) return err;
    throw err;
  }
  throw new Error('expected a problem');
}

/** The pid files of the local brokers under a control plane's data dir. */
export async function brokerPidFiles(dataDir: string | undefined): Promise<string[]> {
  if (!dataDir) return [];
  const clustersDir = path.join(dataDir, 'clusters');
  const files: string[] = [];
  for (const cluster of await readdir(clustersDir).catch(() => [] as string[])) {
    for (const entry of await readdir(path.join(clustersDir, cluster)).catch(() => [] as string[])) {
      if (/^broker-\d+\.pid$/.test(entry)) files.push(path.join(clustersDir, cluster, entry));
    }
  }
  return files;
}

/** The pid of a cluster's broker as its orchestrator recorded it. */
export async function brokerPid(dataDir: string, clusterId: string, nodeId = 0): Promise<number | undefined> {
  const text = await readFile(path.join(dataDir, 'clusters', clusterId, `broker-${nodeId}.pid`), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as { pid: number }).pid;
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops any broker a test left running (a failed teardown), by the pids its orchestrator recorded. */
export async function killLeftoverBrokers(dataDir: string | undefined): Promise<void> {
  for (const pidFile of await brokerPidFiles(dataDir)) {
    const { pid } = JSON.parse(await readFile(pidFile, 'utf8').catch(() => '{}')) as { pid?: number };
    if (!pid) continue;
    // Only a process started with a config under this data dir is ours; a pid may have been recycled.
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(dataDir!)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The control plane as `npm start` runs it (node --import tsx, from the repository root) on `dataDir`. */
export function startNpmControlPlane(dataDir: string, secretKey: string, env: Record<string, string> = {}): Promise<RunningControlPlane> {
  return startControlPlane([process.execPath, '--import', 'tsx', 'apps/control-plane/src/main.ts'], {
    cwd: repoRoot,
    env: { FJORD_DATA_DIR: dataDir, FJORD_SECRET_KEY: secretKey, ...env },
  });
}

/** The end of an e2e story: its clusters deleted through the API, the control plane stopped, nothing left behind. */
export async function tearDownStory(api: FjordClient | undefined, clusterIds: string[], cp: RunningControlPlane | undefined, dataDir: string | undefined): Promise<void> {
  for (const id of clusterIds) await api?.clusters.delete(id).catch(() => undefined);
  for (const id of clusterIds) await api?.clusters.waitFor(id, 'DELETED', { timeoutMs: 30_000 }).catch(() => undefined);
  await cp?.stop();
  await killLeftoverBrokers(dataDir);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

/** Pids of every process whose command line names something under dataDir: brokers run with a config file there. */
export async function processesUnder(dataDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dataDir)) pids.push(Number(entry));
  }
  return pids;
}
