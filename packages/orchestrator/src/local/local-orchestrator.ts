import { mkdir, rm, rmdir } from 'node:fs/promises';
import { writeFileDurably } from '@fjord/durable-file';
import { OrchestratorError, orchestratorError } from '../errors.ts';
import type { BrokerConfigInput } from '@fjord/broker-contract';
import type { BrokerSpec, BrokerStatus, BrokerStopped, Orchestrator, StopOptions } from '../orchestrator.ts';
import { assertBrokerRef, assertBrokerSpec, configHash } from '../spec.ts';
import { defaultBrokerCommand } from './broker-command.ts';
import {
  brokerFiles,
  knownBrokers,
  logTail,
  readPidRecord,
  removeFile,
  writePidRecord,
  type BrokerFiles,
  type PidRecord,
} from './broker-files.ts';
import { accepts, BrokerStartError, isBrokerProcess, startBroker, terminate, type Termination } from './broker-process.ts';

export interface LocalOrchestratorConfig {
  kind: 'local';
  /** `$FJORD_DATA_DIR`: brokers live under `<dataDir>/clusters/<clusterId>/`. */
  dataDir: string;
  /** The broker command without `--config <file>`; defaults to this repository's built broker. */
  brokerCommand?: string[];
  /** How long a broker may take to listen before it counts as failed to start. */
  startTimeoutMs?: number;
  /** How long a broker gets to stop on SIGTERM before SIGKILL. */
  stopGraceMs?: number;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_GRACE_MS = 10_000;
const PROBE_TIMEOUT_MS = 1_000;

type Stopped = Exclude<Termination, 'survived'>;

/**
 * Runs each broker as a local process of its own. Brokers are spawned detached with a pid file
 * beside their config, so they survive a control-plane crash and the next orchestrator on the
 * same data dir adopts them: close() leaves them running. A clean stop of the control plane calls
 * stopAll(), which removes the pid files, so the next start sees brokers stopped in order, not dead.
 */
export class LocalOrchestrator implements Orchestrator {
  readonly #dataDir: string;
  readonly #command: string[];
  readonly #startTimeoutMs: number;
  readonly #stopGraceMs: number;
  // Calls for one broker run one after the other, so a stop never races a start.
  readonly #queues = new Map<string, Promise<unknown>>();
  // Set by stopAll(): a start still queued from the last reconciler pass must not outlive the shutdown.
  #stopped = false;

  constructor(cfg: LocalOrchestratorConfig) {
    if (typeof cfg.dataDir !== 'string' || cfg.dataDir.length === 0) {
      throw orchestratorError('FJ_ORCH_INVALID_CONFIG', 'local orchestrator needs dataDir');
    }
    if (cfg.brokerCommand !== undefined && cfg.brokerCommand.length === 0) {
      throw orchestratorError('FJ_ORCH_INVALID_CONFIG', 'brokerCommand must not be empty');
    }
    this.#dataDir = cfg.dataDir;
    this.#command = cfg.brokerCommand ?? defaultBrokerCommand();
    this.#startTimeoutMs = cfg.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.#stopGraceMs = cfg.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  }

  async ensureBroker(spec: BrokerSpec): Promise<BrokerStatus> {
    assertBrokerSpec(spec);
    return this.#serialize(spec.clusterId, spec.nodeId, () => {
      if (this.#stopped) throw orchestratorError('FJ_ORCH_STOPPED', `${spec.clusterId}/${spec.nodeId}`);
      return this.#ensure(spec);
    });
  }

  async stopBroker(clusterId: string, nodeId: number, opts: StopOptions = {}): Promise<void> {
    assertBrokerRef(clusterId, nodeId);
    await this.#serialize(clusterId, nodeId, () => this.#stop(clusterId, nodeId, opts));
  }

  async list(): Promise<BrokerStatus[]> {
    const statuses: BrokerStatus[] = [];
    for (const { clusterId, nodeId } of await knownBrokers(this.#dataDir)) {
      const files = brokerFiles(this.#dataDir, clusterId, nodeId);
      statuses.push(await this.#processStatus(clusterId, nodeId, files));
    }
    return statuses;
  }

  async health(clusterId: string, nodeId: number): Promise<BrokerStatus> {
    assertBrokerRef(clusterId, nodeId);
    const files = brokerFiles(this.#dataDir, clusterId, nodeId);
    const status = await this.#processStatus(clusterId, nodeId, files);
    if (status.state !== 'running' || !status.endpoint) return status;
    if (await accepts(status.endpoint.host, status.endpoint.port, PROBE_TIMEOUT_MS)) return status;
    return { ...status, state: 'starting', reason: 'broker process is up but does not accept connections yet' };
  }

  /** Stops every running broker in parallel, each as stopBroker() would but keeping its data; nothing starts afterwards. */
  async stopAll(onStopped?: (broker: BrokerStopped) => void): Promise<BrokerStopped[]> {
    this.#stopped = true;
    const running = (await this.list()).filter((b) => b.state === 'running');
    return Promise.all(
      running.map(({ clusterId, nodeId, pid }) =>
        this.#serialize(clusterId, nodeId, async () => {
          const started = Date.now();
          // Data stays: the next start brings the cluster back with it.
          const ended = await this.#stop(clusterId, nodeId, {}).then(
            (outcome) => ({ outcome }),
            (err: unknown) => ({ outcome: 'failed' as const, reason: (err as Error).message }),
          );
          const stopped: BrokerStopped = { clusterId, nodeId, pid: pid!, ...ended, ms: Date.now() - started };
          onStopped?.(stopped);
          return stopped;
        }),
      ),
    );
  }

  /** Waits for calls in flight; the brokers keep running (see the class comment). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()]);
  }

  async #ensure(spec: BrokerSpec): Promise<BrokerStatus> {
    const files = brokerFiles(this.#dataDir, spec.clusterId, spec.nodeId);
    const config: BrokerConfigInput = {
      ...spec.config,
      clusterId: spec.clusterId,
      nodeId: spec.nodeId,
      listen: { host: spec.host, port: spec.port },
      dataDir: files.dataDir,
    };
    const hash = configHash(config);

    const record = await readPidRecord(files.pidFile);
    if (record && (await isBrokerProcess(record.pid, files.configFile))) {
      if (record.configHash === hash) {
        const status = await this.health(spec.clusterId, spec.nodeId);
        // A broker that never came up within the start timeout is hung: restart it below.
        if (status.state === 'running' || Date.now() - record.startedAt < this.#startTimeoutMs) return status;
      }
      await this.#terminate(spec.clusterId, spec.nodeId, record.pid, files);
    }
    return this.#start(spec, config, hash, files);
  }

  async #start(spec: BrokerSpec, config: BrokerConfigInput, hash: string, files: BrokerFiles): Promise<BrokerStatus> {
    const name = `${spec.clusterId}/${spec.nodeId}`;
    await mkdir(files.dataDir, { recursive: true, mode: 0o700 });
    // The config holds the broker's control-plane token: readable by us only.
    await writeFileDurably(files.configFile, `${JSON.stringify(config, null, 2)}\n`);

    let started;
    try {
      started = await startBroker({
        command: this.#command,
        configFile: files.configFile,
        logFile: files.logFile,
        cwd: files.clusterDir,
        host: spec.host,
        port: spec.port,
        timeoutMs: this.#startTimeoutMs,
      });
    } catch (err) {
      throw new OrchestratorError('FJ_ORCH_BROKER_SPAWN_FAILED', [name, (err as Error).message], { cause: err });
    }
    // Recorded before it is ready, so a control plane that dies right now still finds it.
    const record: PidRecord = { pid: started.pid, configHash: hash, host: spec.host, port: spec.port, startedAt: Date.now() };
    await writePidRecord(files.pidFile, record);

    try {
      const port = await started.ready;
      if (port !== record.port) await writePidRecord(files.pidFile, { ...record, port });
      return { clusterId: spec.clusterId, nodeId: spec.nodeId, state: 'running', pid: started.pid, endpoint: { host: spec.host, port } };
    } catch (err) {
      const why = err instanceof BrokerStartError ? err : new BrokerStartError('timeout', String(err));
      await terminate(started.pid, files.configFile, 0);
      await removeFile(files.pidFile);
      const tail = (await logTail(files.logFile, 5, started.logStart)) || 'no output';
      if (why.kind === 'exited') throw orchestratorError('FJ_ORCH_BROKER_EXITED', name, why.message, tail);
      throw orchestratorError('FJ_ORCH_BROKER_START_TIMEOUT', name, this.#startTimeoutMs, tail);
    }
  }

  async #stop(clusterId: string, nodeId: number, opts: StopOptions): Promise<Stopped> {
    const files = brokerFiles(this.#dataDir, clusterId, nodeId);
    const record = await readPidRecord(files.pidFile);
    const ended = record ? await this.#terminate(clusterId, nodeId, record.pid, files) : 'not-running';
    await removeFile(files.pidFile);
    if (!opts.deleteData) return ended;
    for (const path of [files.dataDir, files.configFile, files.logFile]) await rm(path, { recursive: true, force: true });
    // The cluster dir goes with its last broker; other brokers of the cluster keep theirs.
    await rmdir(files.clusterDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
    return ended;
  }

  async #terminate(clusterId: string, nodeId: number, pid: number, files: BrokerFiles): Promise<Stopped> {
    const ended = await terminate(pid, files.configFile, this.#stopGraceMs);
    if (ended === 'survived') throw orchestratorError('FJ_ORCH_BROKER_STOP_FAILED', `${clusterId}/${nodeId}`, pid);
    return ended;
  }

  /** State from the pid file and the process table alone; health() adds a connection probe. */
  async #processStatus(clusterId: string, nodeId: number, files: BrokerFiles): Promise<BrokerStatus> {
    const record = await readPidRecord(files.pidFile);
    if (!record) return { clusterId, nodeId, state: 'stopped' };
    if (await isBrokerProcess(record.pid, files.configFile)) {
      return { clusterId, nodeId, state: 'running', pid: record.pid, endpoint: { host: record.host, port: record.port } };
    }
    // A pid file is removed by every orderly stop: the broker died on its own.
    const tail = await logTail(files.logFile, 3);
    return {
      clusterId,
      nodeId,
      state: 'failed',
      pid: record.pid,
      reason: `broker process ${record.pid} is gone${tail ? `; last log: ${tail}` : ''}`,
    };
  }

  #serialize<T>(clusterId: string, nodeId: number, task: () => Promise<T>): Promise<T> {
    const key = `${clusterId}/${nodeId}`;
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(task);
    this.#queues.set(key, next);
    const forget = () => {
      if (this.#queues.get(key) === next) this.#queues.delete(key);
    };
    next.then(forget, forget);
    return next;
  }
}
