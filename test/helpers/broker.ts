import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BROKER_CONFIG_ENV, makeCredential, type Credential } from '@fjord/broker-contract';
import { defaultBrokerCommand } from '@fjord/orchestrator';

export { makeCredential };

export interface StartBrokerOptions {
  /** Kept across restart(); a temp dir (removed by stop()) when omitted. */
  dataDir?: string;
  auth?: 'none' | 'sasl_plain';
  credentials?: Credential[];
  /** 0 (default) picks a free port; restart() reuses the one bound first. */
  port?: number;
  clusterId?: string;
  /** Extra config fields, merged over the generated ones (log, limits, controlPlane...). */
  config?: Record<string, unknown>;
  /** Pass the config as a file (`--config`, the default) or as JSON in FJORD_BROKER_CONFIG_JSON, as ECS tasks get it. */
  configVia?: 'file' | 'env';
  /** Copy the broker's stdout/stderr to this process's stderr. */
  echo?: boolean;
}

export interface TestBroker {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly configFile: string;
  readonly process: ChildProcess;
  /** `host:port`, for client bootstrap lists. */
  readonly address: string;
  /** Log lines (parsed pino JSON) seen so far. */
  readonly logs: Record<string, unknown>[];
  /** SIGTERM and wait for exit; removes the data dir if the helper made it. */
  stop(): Promise<void>;
  /** SIGTERM and wait for exit; the data dir is kept, for restart(). */
  shutdown(): Promise<void>;
  /** SIGKILL and wait for exit; the data dir is kept. */
  kill9(): Promise<void>;
  /** Start again on the same port and data dir (after stop without cleanup, or kill9). */
  restart(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

/** Spawns the real broker process as the control plane does (`node apps/broker/dist/main.js --config f`) and waits for "broker listening". */
export async function startBroker(options: StartBrokerOptions = {}): Promise<TestBroker> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'fjord-broker-')));
  const configFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.broker.json`);
  const host = '127.0.0.1';
  let port = options.port ?? 0;
  const logs: Record<string, unknown>[] = [];

  const configJson = () =>
    JSON.stringify({
      clusterId: options.clusterId ?? 'c_test',
      nodeId: 0,
      listen: { host, port },
      dataDir,
      auth: options.auth ?? 'none',
      credentials: options.credentials ?? [],
      ...options.config,
    });

  let child: ChildProcess;
  const launch = async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.BROKER_LOG_LEVEL ?? 'info' };
    delete env[BROKER_CONFIG_ENV];
    const [command, ...args] = defaultBrokerCommand();
    if (options.configVia === 'env') {
      env[BROKER_CONFIG_ENV] = configJson();
    } else {
      await writeFile(configFile, configJson());
      args.push('--config', configFile);
    }
    child = spawn(command, args, { cwd: path.dirname(dataDir), stdio: ['ignore', 'pipe', 'pipe'], env });
    const stderr: string[] = [];
    child.stderr!.on('data', (d: Buffer) => {
      stderr.push(d.toString());
      if (options.echo) process.stderr.write(d);
    });
    const boundPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`broker did not start in ${STARTUP_TIMEOUT_MS} ms: ${stderr.join('')}`));
      }, STARTUP_TIMEOUT_MS);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (options.echo) process.stderr.write(`${line}\n`);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        logs.push(entry);
        if (entry.msg === 'broker listening') {
          clearTimeout(timer);
          resolve(entry.port as number);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`broker exited (${code ?? signal}) before listening: ${stderr.join('')}`));
      });
    });
    port = boundPort;
  };

  const waitExit = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });

  await launch();
  return {
    host,
    get port() {
      return port;
    },
    get address() {
      return `${host}:${port}`;
    },
    dataDir,
    configFile,
    get process() {
      return child;
    },
    logs,
    async stop() {
      child.kill('SIGTERM');
      await waitExit();
      // The config file is always the helper's own; the data dir only when the helper made it.
      await rm(configFile, { force: true });
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
    async shutdown() {
      child.kill('SIGTERM');
      await waitExit();
    },
    async kill9() {
      child.kill('SIGKILL');
      await waitExit();
    },
    async restart() {
      await launch();
    },
  };
}
