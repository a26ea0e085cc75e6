import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { repoRoot, startControlPlane } from './process.ts';

const mainTs = path.join(repoRoot, 'apps/control-plane/src/main.ts');

describe('loadConfig', () => {
  it('composes DATABASE_URL from the parts infra passes, URL-encoding the credentials', () => {
    const config = loadConfig({
      DATABASE_HOST: 'db.internal',
      DATABASE_PORT: '5433',
      DATABASE_NAME: 'fjord',
      DATABASE_USER: 'fjord',
      DATABASE_PASSWORD: 'p@ss/word:1',
      DATABASE_SSLMODE: 'verify-full',
    });
    expect(config.databaseUrl).toBe('postgresql://fjord:p%40ss%2Fword%3A1@db.internal:5433/fjord?sslmode=verify-full');
  });

  it('names the missing parts when only some are given', () => {
    expect(() => loadConfig({ DATABASE_HOST: 'db', DATABASE_NAME: 'fjord' })).toThrow(/DATABASE_USER, DATABASE_PASSWORD/);
  });

  it('names each invalid variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', FJORD_PUBLIC_URL: 'ftp://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ FJORD_PUBLIC_URL: 'ftp://x' })).toThrow(/FJORD_PUBLIC_URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  const secret = randomBytes(32);
  const production = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://h/db', FJORD_PUBLIC_URL: 'https://api.example.com', FJORD_SECRET_KEY: secret.toString('base64') };

  it('reads FJORD_TRUST_PROXY as a hop count or addresses and CIDRs, and refuses anything else', () => {
    expect(loadConfig({}).trustProxy).toBeUndefined();
    expect(loadConfig({ FJORD_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ FJORD_TRUST_PROXY: '10.0.0.0/16, ::1' }).trustProxy).toEqual(['10.0.0.0/16', '::1']);
    for (const bad of ['true', '10.0.0.0/33', 'lb.internal', '1.2.3.4/8/8']) {
      expect(() => loadConfig({ FJORD_TRUST_PROXY: bad }), bad).toThrow(/FJORD_TRUST_PROXY/);
    }
  });

  it('requires an external database, a public URL and the server secret in production only', () => {
    expect(loadConfig({}).production).toBe(false);
    expect(loadConfig({}).secretKey).toBeUndefined();
    expect(() => loadConfig({ ...production, DATABASE_URL: undefined })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ...production, FJORD_PUBLIC_URL: undefined })).toThrow(/FJORD_PUBLIC_URL/);
    expect(() => loadConfig({ ...production, FJORD_SECRET_KEY: '' })).toThrow(/FJORD_SECRET_KEY/);
    expect(loadConfig(production)).toMatchObject({ production: true, drainMs: 5000, publicUrl: 'https://api.example.com', secretKey: secret });
  });

  it('forces Secure cookies and HSTS in production, whatever FJORD_SECURE_COOKIES says', () => {
    expect(loadConfig({})).toMatchObject({ secureCookies: false, strictTransportSecurity: false });
    expect(loadConfig({ FJORD_SECURE_COOKIES: 'true' })).toMatchObject({ secureCookies: true, strictTransportSecurity: false });
    expect(loadConfig(production)).toMatchObject({ secureCookies: true, strictTransportSecurity: true });
    expect(loadConfig({ ...production, FJORD_SECURE_COOKIES: 'false' })).toMatchObject({ secureCookies: true, strictTransportSecurity: true });
  });

  it('refuses a weak FJORD_SECRET_KEY in any environment, naming it', () => {
    expect(loadConfig({ FJORD_SECRET_KEY: secret.toString('hex') }).secretKey).toEqual(secret);
    expect(loadConfig({ FJORD_SECRET_KEY: secret.toString('base64url') }).secretKey).toEqual(secret);
    for (const weak of ['correct horse battery staple', 'thisisalongpassphrasemadeofbase64lettersonly', randomBytes(16).toString('base64')]) {
      expect(() => loadConfig({ FJORD_SECRET_KEY: weak }), weak).toThrow(ConfigError);
      expect(() => loadConfig({ FJORD_SECRET_KEY: weak }), weak).toThrow(/FJORD_SECRET_KEY/);
    }
  });
});

describe('control plane process in production mode', () => {
  it.each([
    ['FJORD_PUBLIC_URL', { FJORD_PUBLIC_URL: '', FJORD_SECRET_KEY: randomBytes(32).toString('base64') }],
    ['FJORD_SECRET_KEY', { FJORD_PUBLIC_URL: 'https://api.example.com', FJORD_SECRET_KEY: '' }],
  ])('refuses to start without %s, naming it, with exit code 1', async (name, env) => {
    const child = spawn(process.execPath, ['--import', 'tsx', mainTs], {
      cwd: repoRoot,
      env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: 'postgresql://127.0.0.1:5432/test', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += String(c)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain(name);
  });
});

describe('readiness and draining', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('fails readiness but stays live while draining on SIGTERM, then exits 0', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-drain-'));
    dirs.push(dataDir);
    const cp = await startControlPlane([process.execPath, '--import', 'tsx', mainTs], {
      cwd: repoRoot,
      env: { FJORD_DATA_DIR: dataDir, FJORD_DRAIN_MS: '3000' },
    });
    expect((await fetch(`${cp.url}/readyz`)).status).toBe(200);
    const exited = cp.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    const [ready, live] = await Promise.all([fetch(`${cp.url}/readyz`), fetch(`${cp.url}/livez`)]);
    expect(ready.status).toBe(503);
    expect(live.status).toBe(200);
    expect(await exited).toBe(0);
  });
});
