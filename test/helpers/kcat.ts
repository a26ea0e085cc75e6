import { spawn } from 'node:child_process';

export interface KcatResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface KcatAuth {
  username: string;
  password: string;
  /** A file holding the CA certificate (PEM): then SASL_SSL, verifying the broker, as Fjord's clusters require. */
  caFile?: string;
}

/** librdkafka options for SASL/PLAIN, over TLS when given a CA, as a customer's kcat would pass them. */
export function kcatSaslArgs({ username, password, caFile }: KcatAuth): string[] {
  return [
    ...(caFile ? ['-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${caFile}`] : ['-X', 'security.protocol=SASL_PLAINTEXT']),
    '-X', 'sasl.mechanisms=PLAIN',
    '-X', `sasl.username=${username}`,
    '-X', `sasl.password=${password}`,
  ];
}

/** Runs the installed kcat with `args` (in `cwd`, where relative paths such as a CA file resolve), feeding `input` on stdin; never rejects on a non-zero exit. */
export function runKcat(args: string[], input?: string, timeoutMs = 30_000, cwd?: string): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'], cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
