import { spawn } from 'node:child_process';
import { open, readFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { brokerProcessEnv } from '@fjord/broker-contract';

const POLL_MS = 50;

/**
 * Whether `pid` is alive and is the broker started with `configFile`. Checking the command line
 * keeps a recycled pid from being mistaken for our broker (and from being signalled).
 */
export async function isBrokerProcess(pid: number, configFile: string): Promise<boolean> {
  try {
    // A zombie (killed, not yet reaped by its parent) has an empty command line: it counts as gone.
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.split('\0').includes(configFile);
  } catch (err) {
    // ESRCH: the process exited between the open and the read of its /proc entry.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code !== 'ENOENT') throw err;
    if (await procMounted()) return false;
    // Without /proc (macOS) liveness is all we can check.
    return isAlive(pid);
  }
}

let procMountedCache: boolean | undefined;
async function procMounted(): Promise<boolean> {
  procMountedCache ??= await stat('/proc/self').then(
    () => true,
    () => false,
  );
  return procMountedCache;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StartedBroker {
  pid: number;
  /** Where this run's output starts in the log file. */
  logStart: number;
  /** Resolves with the bound port once the broker listens; rejects with why it did not. */
  ready: Promise<number>;
}

export interface StartOptions {
  command: string[];
  configFile: string;
  logFile: string;
  cwd: string;
  host: string;
  port: number;
  timeoutMs: number;
}

export class BrokerStartError extends Error {
  constructor(
    readonly kind: 'exited' | 'timeout' | 'spawn',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Spawns the broker in its own session with its output appended to its log file, so it outlives
 * the control plane that started it, and watches the log for its `broker listening` line. It gets
 * only the environment the broker contract names: the control plane's own (database URL, server
 * secret) stays with the control plane.
 */
export async function startBroker(opts: StartOptions): Promise<StartedBroker> {
  const log = await open(opts.logFile, 'a', 0o600);
  const logStart = (await log.stat()).size;
  const [file, ...args] = opts.command;
  const child = spawn(file, [...args, '--config', opts.configFile], {
    cwd: opts.cwd,
    detached: true,
    env: brokerProcessEnv(process.env),
    stdio: ['ignore', log.fd, log.fd],
  });
  const spawned = new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  // The child holds its own copy of the log descriptor.
  await log.close();
  const spawnError = await spawned;
  if (spawnError || child.pid === undefined) {
    throw new BrokerStartError('spawn', spawnError?.message ?? 'no pid');
  }
  child.unref();

  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = signal ? `signal ${signal}` : `exit code ${code}`;
  });

  const pid = child.pid;
  const ready = (async () => {
    const deadline = Date.now() + opts.timeoutMs;
    while (Date.now() < deadline) {
      // The log line, not a TCP probe: a probe would take whatever else holds the port for our broker.
      const port = await listeningPort(opts.logFile, logStart);
      if (port !== undefined) return port;
      if (exited) throw new BrokerStartError('exited', exited);
      await delay(POLL_MS);
    }
    throw new BrokerStartError('timeout', 'not listening');
  })();
  // The caller awaits `ready` after recording the pid; a broker that dies first must not count as an unhandled rejection.
  ready.catch(() => {});
  return { pid, logStart, ready };
}

// The ready line comes right after start; a broker that wrote this much without it is not starting well.
const READY_SCAN_BYTES = 256 * 1024;

/** The port from the broker's `broker listening` line written after `from` in its log, if any yet. */
async function listeningPort(logFile: string, from: number): Promise<number | undefined> {
  const handle = await open(logFile, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(READY_SCAN_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    text = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"broker listening"')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; port?: unknown };
      if (entry.msg === 'broker listening' && typeof entry.port === 'number') return entry.port;
    } catch {
      // A line still being written; the next poll reads it whole.
    }
  }
  return undefined;
}

/** Whether something accepts TCP connections at host:port within timeoutMs. */
export function accepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: probeHost(host), port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// A broker listening on every interface is reached through loopback.
function probeHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/** How a terminate() ended: the broker was not running, exited on SIGTERM, needed SIGKILL, or survived even that. */
export type Termination = 'not-running' | 'terminated' | 'killed' | 'survived';

/**
 * Stops a broker: SIGTERM to its process group (it flushes and closes its logs), SIGKILL after
 * the grace period. Resolves once the process is gone, saying which signal ended it.
 */
export async function terminate(pid: number, configFile: string, graceMs: number): Promise<Termination> {
  if (!(await isBrokerProcess(pid, configFile))) return reaped(pid, 'not-running');
  if (await signalAndWait(pid, configFile, 'SIGTERM', graceMs)) return reaped(pid, 'terminated');
  if (await signalAndWait(pid, configFile, 'SIGKILL', 5_000)) return reaped(pid, 'killed');
  return 'survived';
}

/** Whether the broker is gone within waitMs of the signal; the last look comes right before any next signal. */
async function signalAndWait(pid: number, configFile: string, signal: NodeJS.Signals, waitMs: number): Promise<boolean> {
  signalGroup(pid, signal);
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (!(await isBrokerProcess(pid, configFile))) return true;
    await delay(POLL_MS);
  }
  return !(await isBrokerProcess(pid, configFile));
}

/**
 * A broker that stopped being one (exiting, or a zombie) may hold its pid a moment longer, until its
 * parent reaps it (this process, when it spawned the broker). Waiting for that keeps "stopped" meaning
 * no process at all; a zombie whose parent never reaps it still counts as stopped after the wait.
 */
async function reaped<T extends Termination>(pid: number, ended: T, waitMs = 2_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  while (isAlive(pid) && Date.now() < deadline) await delay(POLL_MS);
  return ended;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // The broker leads its own process group (spawned detached), so this also reaches anything it forked.
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
    throw err;
  }
}
