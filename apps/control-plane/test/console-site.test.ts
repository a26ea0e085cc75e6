import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testBackends } from '@fjord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiContentSecurityPolicy, consoleContentSecurityPolicy } from '../src/plugins/console.ts';
import { expectProblem, startTestApp, type TestApp } from './helpers.ts';

const [pglite] = await testBackends();
const page = '<!doctype html><title>Fjord Cloud</title><script type="module" src="/assets/index-abc123.js"></script>';

// The control plane serves the built console: index.html for every page a browser navigates to
// (never cached), hashed assets cached for a year, and browser security headers on every answer.
describe('console site', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fjord-console-'));
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'index.html'), page);
    await writeFile(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("fjord")');
    t = await startTestApp(pglite, { consoleDir: dir });
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers index.html, uncached and with a strict Content-Security-Policy, for / and for console paths', async () => {
    for (const url of ['/', '/clusters', '/clusters/0192f5a0-0000-7000-8000-000000000000/topics/orders', '/login?next=%2Fclusters']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toBe(page);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(consoleContentSecurityPolicy);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    }
    expect(consoleContentSecurityPolicy).toContain("script-src 'self'");
    expect(consoleContentSecurityPolicy).not.toContain('unsafe-inline');
    expect(consoleContentSecurityPolicy).toContain("frame-ancestors 'none'");
  });

  it('serves hashed assets cached for a year', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('keeps answering API problems where no page is: unknown API paths, assets, and non-HTML requests', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/nope', headers: { accept: 'text/html' } }), 404, 'not-found');
    expectProblem(await t.app.inject({ method: 'GET', url: '/assets/missing.js', headers: { accept: 'text/html' } }), 404, 'not-found');
    expectProblem(await t.app.inject({ method: 'GET', url: '/clusters', headers: { accept: 'application/json' } }), 404, 'not-found');
    expectProblem(await t.app.inject({ method: 'POST', url: '/clusters', headers: { accept: 'text/html' } }), 404, 'not-found');
    const api = await t.app.inject({ method: 'GET', url: '/v1/plans' });
    expect(api.statusCode).toBe(200);
    expect(api.headers['content-security-policy']).toBe(apiContentSecurityPolicy);
    expect(api.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves no page when no console is built (the API is unchanged)', async () => {
    const bare = await startTestApp(pglite, { consoleDir: path.join(dir, 'missing') });
    try {
      expectProblem(await bare.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } }), 404, 'not-found');
    } finally {
      await bare.close();
    }
  });
});
