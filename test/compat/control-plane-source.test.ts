import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ControlPlaneSource } from '@fjord/broker';
import type { ClusterConfig } from '@fjord/broker-contract';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningControlPlane, type ListeningControlPlane } from '../helpers/control-plane-app.ts';
import { until } from '../helpers/control-plane.ts';

const logger = pino({ level: 'silent' });

// The broker's side of the config contract, against the real control plane (buildApp on PGlite).
describe('ControlPlaneSource against the control plane', () => {
  let cp: ListeningControlPlane;
  let dir: string;
  const sources: ControlPlaneSource[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fjord-cp-source-'));
    cp = await listeningControlPlane();
  });

  afterAll(async () => {
    for (const s of sources) await s.stop();
    await cp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const source = (applied: ClusterConfig[], options: { token?: string; waitMs?: number; refreshIntervalMs?: number; url?: string; cachePath?: string } = {}) => {
    const s = new ControlPlaneSource({
      url: options.url ?? cp.url,
      token: options.token ?? cp.brokerToken,
      clusterId: cp.clusterId,
      waitMs: options.waitMs ?? 20_000,
      retryMs: 200,
      refreshIntervalMs: options.refreshIntervalMs ?? 250,
      cachePath: options.cachePath ?? path.join(dir, 'control-plane-config.json'),
      logger,
      onConfig: (c) => applied.push(c),
    });
    sources.push(s);
    return s;
  };
  const keysOf = (c: ClusterConfig | undefined) => c?.credentials.map((k) => k.key) ?? [];

  it('applies the config at start, then each change as it is committed, through the long poll; caches the last one', async () => {
    const applied: ClusterConfig[] = [];
    const s = source(applied);
    const first = await s.start();
    expect(first?.clusterId).toBe(cp.clusterId);
    expect(first?.quotas.maxPartitions).toBeGreaterThan(0);
    expect(first?.tiering.prefix).toBe(`clusters/${cp.clusterId}/`);
    expect(keysOf(first)).toEqual([cp.secrets.adminCredential(cp.clusterId).username]);

    const before = cp.internalRequests.length;
    const key = await cp.api.clusterApiKeys.create(cp.clusterId, { description: 'long poll' });
    // No poll interval to wait out: the waiting request is answered by the commit itself.
    await until('the new key to be applied', () => (keysOf(s.current).includes(key.key) ? true : undefined), 2_000, 10);
    await cp.api.clusterApiKeys.delete(cp.clusterId, key.id);
    await until('the deleted key to be dropped', () => (keysOf(s.current).includes(key.key) ? undefined : true), 2_000, 10);
    // One request answered by each change, plus the one now waiting: a long poll, not a polling loop.
    expect(cp.internalRequests.length - before).toBeLessThanOrEqual(3);
    expect(cp.internalRequests.at(-1)).toMatch(/after=\d+&waitMs=20000$/);
    expect(applied.map((c) => c.version)).toEqual([...new Set(applied.map((c) => c.version))].sort((a, b) => a - b));

    const cached = JSON.parse(await readFile(path.join(dir, 'control-plane-config.json'), 'utf8')) as ClusterConfig;
    await until('the cache to hold the newest version', async () => {
      const c = JSON.parse(await readFile(path.join(dir, 'control-plane-config.json'), 'utf8')) as ClusterConfig;
      return c.version === s.current?.version ? c : undefined;
    }, 2_000, 20);
    expect(cached.clusterId).toBe(cp.clusterId);
    await s.stop();
  });

  it('refreshes at once on request, sharing one fetch among callers and spacing fetches out', async () => {
    // Not started: no long poll runs beside the refreshes counted here.
    const s = source([], { refreshIntervalMs: 300 });
    const key = await cp.api.clusterApiKeys.create(cp.clusterId, { description: 'refresh' });
    const before = cp.internalRequests.length;
    await Promise.all(Array.from({ length: 20 }, () => s.refresh()));
    expect(keysOf(s.current)).toContain(key.key);
    expect(cp.internalRequests.length - before).toBe(1);

    // A flood of refreshes over ~1 s costs a fetch per interval, not one per caller.
    const started = Date.now();
    const flood = [];
    while (Date.now() - started < 900) {
      flood.push(s.refresh());
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(flood);
    const fetches = cp.internalRequests.length - before - 1;
    expect(flood.length).toBeGreaterThan(50);
    expect(fetches).toBeGreaterThanOrEqual(2);
    expect(fetches).toBeLessThanOrEqual(5);
  });

  it('applies nothing for a wrong token, and starts from the cached copy when the control plane is away', async () => {
    const wrong: ClusterConfig[] = [];
    const s = source(wrong, { token: 'fjb_not-the-token', cachePath: path.join(dir, 'no-cache-here.json') });
    expect(await s.start()).toBeUndefined();
    await s.refresh();
    await s.stop();
    expect(wrong).toEqual([]);

    const offline: ClusterConfig[] = [];
    const away = source(offline, { url: 'http://127.0.0.1:9' });
    const started = await away.start();
    await away.stop();
    expect(started?.clusterId).toBe(cp.clusterId);
    expect(offline).toHaveLength(1);
  });
});
