import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The built CLI as npm links it (`fjord` in node_modules/.bin points here). */
export const fjordBin = fileURLToPath(new URL('../bin/fjord.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  /** Runs this executable (found on the PATH given in env) instead of the repository's bin. */
  command?: string;
}

/**
 * Runs `fjord args...` as a subprocess, as a user's shell would: stdin is a pipe (not a terminal), and
 * the environment has no FJORD_* variable the test did not give (nor the user's stored credentials).
 */
export async function fjord(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('FJORD_')) env[k] = v;
  // Where `fjord login` keeps credentials (env-paths: XDG_CONFIG_HOME, else ~/.config): never the user's own.
  env.XDG_CONFIG_HOME = '/nonexistent/fjord-test-config';
  for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k];
  else env[k] = v;
  const [file, argv] = options.command ? [options.command, args] : [process.execPath, [fjordBin, ...args]];
  const child = spawn(file, argv, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** One line for an assertion message: what the CLI said. */
export const report = (run: CliRun) => `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

export interface RecordingProxy {
  url: string;
  /** `METHOD /path?query` of every request passed on, in order. */
  requests: string[];
  mutations(): string[];
  close(): Promise<void>;
}

/** A pass-through HTTP proxy in front of the control plane that records what the CLI asked for. */
export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    mutations: () => requests.filter((r) => !r.startsWith('GET ')),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * Runs `fjord args...` on a pseudo-terminal (util-linux `script`), as a person at a shell: once the
 * confirmation prompt shows, `beforeAnswer` runs, then `answer` is typed. stdout and stderr arrive
 * together, as on a screen. The pty has no size unless `columns` is given.
 */
export async function fjordOnTerminal(args: string[], options: CliOptions & { answer?: string; beforeAnswer?: () => Promise<void>; columns?: number }): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('FJORD_')) env[k] = v;
  env.XDG_CONFIG_HOME = '/nonexistent/fjord-test-config';
  Object.assign(env, options.env);
  const fjordCommand = [process.execPath, fjordBin, ...args].map(shellQuote).join(' ');
  // Without a terminal of its own, script's pty has no size: set one where the test asks for it.
  const command = options.columns ? `stty cols ${options.columns} rows 24; ${fjordCommand}` : fjordCommand;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let answered = false;
  child.stdout.on('data', async (d) => {
    screen += d;
    if (answered || options.answer === undefined || !screen.includes("Only 'yes' will be accepted")) return;
    answered = true;
    await options.beforeAnswer?.();
    child.stdin.write(`${options.answer}\n`);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout: screen, stderr: '' };
}
