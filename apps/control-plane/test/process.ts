import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunningControlPlane {
  child: ChildProcess;
  url: string;
  logs: Record<string, unknown>[];
  /** Sends `signal` to the process group and resolves with the exit code of the command. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the control plane as a real process (`command` run from `cwd`) on a free port and waits for its
 * "control plane listening" log line. The process gets its own group so stop() reaches npm's children too.
 */
export async function startControlPlane(command: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<RunningControlPlane> {
  const child = spawn(command[0], command.slice(1), {
    cwd: options.cwd,
    env: { ...process.env, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk) => stderr.push(String(chunk)));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`control plane did not start: ${stderr.join('')}`)), 45_000);
    child.once('exit', (code) => reject(new Error(`control plane exited with ${code}: ${stderr.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg === 'control plane listening') {
        clearTimeout(timer);
        resolve(entry.port as number);
      }
    });
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    logs,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, signal);
      const [code] = await exited;
      return code;
    },
  };
}
