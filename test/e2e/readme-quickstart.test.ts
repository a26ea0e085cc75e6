import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startControlPlane, type RunningControlPlane } from '../../apps/control-plane/test/process.ts';
import { killLeftoverBrokers } from '../helpers/control-plane.ts';

const SCRIPT_TIMEOUT_MS = 90_000;

/** The first ```sh block after "## Quickstart" in README.md: what a reader pastes into a shell. */
async function quickstart(): Promise<string> {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Quickstart'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md has no ```sh block under "## Quickstart"');
  return block[1];
}

function runBash(script: string, cwd: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // The whole group: curl and kcat must not outlive a stuck script.
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), SCRIPT_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// The README's quickstart, pasted as one block into bash against `npm start`'s control plane, runs
// from signup to the consumer's count of 1000 records and the consumer group's lag of 0.
describe('README quickstart', () => {
  let dataDir: string;
  let workDir: string;
  let cp: RunningControlPlane;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-readme-'));
    workDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-readme-shell-'));
    cp = await startControlPlane([process.execPath, '--import', 'tsx', 'apps/control-plane/src/main.ts'], { cwd: repoRoot, env: { FJORD_DATA_DIR: dataDir } });
  }, 60_000);

  afterAll(async () => {
    await cp?.stop();
    await killLeftoverBrokers(dataDir);
    for (const dir of [dataDir, workDir]) if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs from signup to `wc -l` printing 1000', async () => {
    const script = (await quickstart()).replaceAll('http://127.0.0.1:8080', cp.url);
    expect(script).not.toContain('127.0.0.1:8080');
    // Kafka clients are told to use TLS, trusting the CA certificate the API serves.
    expect(script).toMatch(/ca\.pem/);
    expect(script).toContain('security.protocol=SASL_SSL');
    const run = await runBash(script, workDir);
    const report = `exit ${run.code ?? run.signal}\nstdout (end):\n${run.stdout.slice(-2_000)}\nstderr:\n${run.stderr.slice(-2_000)}`;
    expect(run.code, report).toBe(0);
    // curl prints JSON without a trailing newline, so the count follows the topic's JSON on its line.
    expect(run.stdout, report).toMatch(/(^|\})\s*1000$/m);
    // The group kcat read with: committed everything it read, so nothing is left to read.
    expect(run.stdout, report).toMatch(/\{"groupId":"readers","type":"classic","state":"Empty","members":0,"lag":0,/);
  }, SCRIPT_TIMEOUT_MS + 30_000);
});
