import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient, UnauthorizedError } from '@fjord/sdk';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { repoRoot, startControlPlane, type RunningControlPlane } from './process.ts';

// The real entry points over real HTTP: `npm start`, and main.ts restarted on the same data directory.
describe('the control plane process', () => {
  const running: RunningControlPlane[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const cp of running.splice(0)) await cp.stop('SIGKILL').catch(() => {});
  });
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  async function tempDir() {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fjord-cp-'));
    dirs.push(dir);
    return dir;
  }

  it('`npm start` serves /healthz, keeping its state under FJORD_DATA_DIR resolved from where it was started', async () => {
    const cwd = await tempDir();
    const cp = await startControlPlane(['npm', '--prefix', repoRoot, 'start'], { cwd, env: { FJORD_DATA_DIR: 'state' } });
    running.push(cp);
    const res = await fetch(`${cp.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(existsSync(path.join(cwd, 'state', 'pgdata', 'PG_VERSION'))).toBe(true);
  });

  it('refuses a bad configuration with a message and exit code 1', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/control-plane/src/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: 'eighty' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('PORT must be an integer');
  });

  it('keeps sessions and API keys across a restart on the same data directory; SIGTERM exits cleanly', async () => {
    const dataDir = await tempDir();
    const main = [process.execPath, '--import', 'tsx', 'apps/control-plane/src/main.ts'];
    const first = await startControlPlane(main, { cwd: repoRoot, env: { FJORD_DATA_DIR: dataDir } });
    running.push(first);
    const browser = createClient({ baseUrl: first.url });
    const signedUp = await browser.signup({ email: 'restart@example.com', password: 'correct horse battery staple', organizationName: 'Durable' });
    const key = await browser.apiKeys.create({ description: 'survives' });
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.logs.some((l) => l.msg === 'shutting down')).toBe(true);

    const second = await startControlPlane(main, { cwd: repoRoot, env: { FJORD_DATA_DIR: dataDir } });
    running.push(second);
    expect(second.logs.find((l) => l.msg === 'database ready')).toMatchObject({ appliedMigrations: [] });
    const sameSession = createClient({ baseUrl: second.url }).useSession(browser.session);
    expect(await sameSession.me()).toEqual(signedUp);
    const byKey = createClient({ baseUrl: second.url, apiKey: key.secret });
    expect((await byKey.me()).organization).toEqual(signedUp.organization);
    await expect(createClient({ baseUrl: second.url, apiKey: 'fjk_wrong' }).me()).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
