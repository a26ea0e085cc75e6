import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, type RunningControlPlane } from '../../apps/control-plane/test/process.ts';
import { killLeftoverBrokers, startNpmControlPlane } from '../helpers/control-plane.ts';

const SCRIPT_TIMEOUT_MS = 150_000;

/** The first ```sh block after "## Quickstart with the CLI" in README.md: what a reader pastes into a shell. */
async function cliQuickstart(): Promise<string> {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const at = readme.indexOf('\n## Quickstart with the CLI');
  if (at < 0) throw new Error('README.md has no "## Quickstart with the CLI" section');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error('README.md has no ```sh block under "## Quickstart with the CLI"');
  return block[1];
}

function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // The whole group: curl, kcat and fjord must not outlive a stuck script.
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), SCRIPT_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// The README's CLI quickstart, pasted as one block into bash with `fjord` on the PATH (as
// `npm install -g ./apps/cli` puts it) against `npm start`'s control plane.
describe('README quickstart with the CLI', () => {
  let dataDir: string;
  let workDir: string;
  let binDir: string;
  let cp: RunningControlPlane;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-readme-cli-'));
    workDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-readme-cli-shell-'));
    binDir = path.join(workDir, '.bin');
    await mkdir(binDir);
    await symlink(path.join(repoRoot, 'apps/cli/bin/fjord.js'), path.join(binDir, 'fjord'));
    cp = await startNpmControlPlane(dataDir, randomBytes(32).toString('base64'));
  }, 120_000);

  afterAll(async () => {
    await cp?.stop();
    await killLeftoverBrokers(dataDir);
    for (const dir of [dataDir, workDir]) if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs from signup through kcat counting 1000 records to plan, apply and destroy of a stack', async () => {
    const script = (await cliQuickstart()).replaceAll('http://127.0.0.1:8080', cp.url);
    expect(script).not.toContain('127.0.0.1:8080');
    expect(script).toContain('fjord clusters create orders --plan basic --wait');
    expect(script).toContain('fjord kafka-config');
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${binDir}:${process.env.PATH}`, XDG_CONFIG_HOME: path.join(workDir, '.config') };
    for (const key of Object.keys(env)) if (key.startsWith('FJORD_')) delete env[key];
    const run = await runBash(script, workDir, env);
    const report = `exit ${run.code ?? run.signal}\nstdout (end):\n${run.stdout.slice(-3_000)}\nstderr:\n${run.stderr.slice(-3_000)}`;
    expect(run.code, report).toBe(0);
    expect(run.stdout, report).toMatch(/^\s*1000$/m);
    expect(run.stdout, report).toContain('+ cluster payments (plan basic, region local)');
    expect(run.stdout, report).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    expect(run.stdout, report).toContain('No changes. The organization matches the stack.');
    expect(run.stdout, report).toContain('Destroy complete! Resources: 3 destroyed.');
    const secrets = JSON.parse(await readFile(path.join(workDir, 'secrets.json'), 'utf8')) as { name: string }[];
    expect(secrets.map((s) => s.name)).toEqual(['kcat', 'checkout-service']);
  }, SCRIPT_TIMEOUT_MS + 30_000);
});
