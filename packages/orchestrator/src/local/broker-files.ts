import { readdir, readFile, rm, open } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '@fjord/durable-file';

/** Where one local broker keeps its things, all under `<dataDir>/clusters/<clusterId>/`. */
export interface BrokerFiles {
  clusterDir: string;
  /** The config file the broker is started with; its path in the command line marks the process as ours. */
  configFile: string;
  dataDir: string;
  logFile: string;
  pidFile: string;
}

export function brokerFiles(dataDir: string, clusterId: string, nodeId: number): BrokerFiles {
  const clusterDir = join(dataDir, 'clusters', clusterId);
  return {
    clusterDir,
    configFile: join(clusterDir, `broker-${nodeId}.json`),
    dataDir: join(clusterDir, `broker-${nodeId}`),
    logFile: join(clusterDir, `broker-${nodeId}.log`),
    pidFile: join(clusterDir, `broker-${nodeId}.pid`),
  };
}

/** Every broker that has a config file under dataDir, i.e. everything this orchestrator ever started and did not delete. */
export async function knownBrokers(dataDir: string): Promise<{ clusterId: string; nodeId: number }[]> {
  const clustersDir = join(dataDir, 'clusters');
  const clusterIds = await readdir(clustersDir).catch(ifMissing([] as string[]));
  const brokers: { clusterId: string; nodeId: number }[] = [];
  for (const clusterId of clusterIds.sort()) {
    const entries = await readdir(join(clustersDir, clusterId)).catch(ifMissing([] as string[]));
    for (const entry of entries) {
      const match = /^broker-(\d+)\.json$/.exec(entry);
      if (match) brokers.push({ clusterId, nodeId: Number(match[1]) });
    }
  }
  return brokers.sort((a, b) => (a.clusterId === b.clusterId ? a.nodeId - b.nodeId : a.clusterId < b.clusterId ? -1 : 1));
}

/** What the pid file records about a started broker, so another orchestrator process can adopt it. */
export interface PidRecord {
  pid: number;
  configHash: string;
  host: string;
  port: number;
  startedAt: number;
}

export async function readPidRecord(file: string): Promise<PidRecord | undefined> {
  const text = await readFile(file, 'utf8').catch(ifMissing(undefined));
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as PidRecord;
    return Number.isInteger(record.pid) && record.pid > 0 ? record : undefined;
  } catch {
    // A torn write from a crash mid-start: the process check below treats it as not running.
    return undefined;
  }
}

export async function writePidRecord(file: string, record: PidRecord): Promise<void> {
  await writeFileDurably(file, `${JSON.stringify(record)}\n`);
}

export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** The last lines of a log, read from its end, to explain why a broker stopped. */
export async function logTail(file: string, lines = 5, from = 0): Promise<string> {
  const handle = await open(file, 'r').catch(ifMissing(undefined));
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const start = Math.max(from, size - 8192);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer
      .toString('utf8')
      .split('\n')
      .filter(isHeadline)
      .slice(-lines)
      .map((line) => readableLogLine(line.trim()))
      .join(' | ');
  } finally {
    await handle.close();
  }
}

/**
 * Drops what buries the cause: blank lines and the indented stack frames and property dumps a
 * crashing Node process prints after an error's first line.
 */
function isHeadline(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed.length === 0 || trimmed === '}' || trimmed === ']') return false;
  return !/^\s+at /.test(line) && !/^\s+[A-Za-z_$][\w$]*: /.test(line);
}

function readableLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; err?: { message?: string }; error?: string };
    const detail = entry.err?.message ?? entry.error;
    return detail ? `${entry.msg ?? ''}: ${detail}` : (entry.msg ?? line);
  } catch {
    return line;
  }
}

function ifMissing<T>(fallback: T) {
  return (err: NodeJS.ErrnoException): T => {
    if (err.code === 'ENOENT') return fallback;
    throw err;
  };
}
