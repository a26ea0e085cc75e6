import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../src/config/cluster-config.ts';
import { ControlPlaneSource } from '../src/config/control-plane-source.ts';
import { makeCredential } from '../src/server/credentials.ts';

const TOKEN = 'broker-token-1';
const logger = pino({ level: 'silent' });

/** A stand-in for the control plane's internal route, serving whatever `answer` holds. */
function controlPlane() {
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const requests: { url: string; authorization: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url!, authorization: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  return {
    server,
    requests,
    serve(status: number, body: unknown) {
      answer = { status, body };
    },
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const config = (version: number, keys: string[]): ClusterConfig => ({
  clusterId: 'c_cp',
  version,
  credentials: keys.map((k) => makeCredential(k, `${k}-secret`)),
  quotas: { produceBytesPerSecond: 1_048_576 },
  tiering: {},
});

describe('ControlPlaneSource', () => {
  let dir: string;
  const cp = controlPlane();
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fjord-cp-'));
    url = await cp.listen();
  });

  afterAll(async () => {
    if (cp.server.listening) await cp.close();
    await rm(dir, { recursive: true, force: true });
  });

  const source = (token = TOKEN, applied: ClusterConfig[] = []) =>
    new ControlPlaneSource({
      url,
      token,
      clusterId: 'c_cp',
      pollIntervalMs: 60_000,
      cachePath: path.join(dir, 'control-plane-config.json'),
      logger,
      onConfig: (c) => applied.push(c),
    });

  it('polls the internal route with the broker token, applies new versions and caches them', async () => {
    const applied: ClusterConfig[] = [];
    const s = source(TOKEN, applied);
    cp.serve(200, config(1, ['FJA']));
    await s.start();
    expect(cp.requests.at(-1)).toEqual({ url: '/internal/clusters/c_cp/config', authorization: `Bearer ${TOKEN}` });
    expect(applied.map((c) => c.version)).toEqual([1]);

    await s.poll();
    expect(applied).toHaveLength(1);

    cp.serve(200, config(2, ['FJA', 'FJB']));
    await s.poll();
    expect(applied.map((c) => c.version)).toEqual([1, 2]);
    const cached = JSON.parse(await readFile(path.join(dir, 'control-plane-config.json'), 'utf8')) as ClusterConfig;
    expect(cached.version).toBe(2);
    expect(cached.credentials.map((c) => c.key)).toEqual(['FJA', 'FJB']);

    // Failures and invalid answers leave the current config in force.
    cp.serve(500, {});
    expect(await s.poll()).toBeUndefined();
    cp.serve(200, { clusterId: 'c_cp', version: 3, credentials: [{ key: 'FJC', secretHash: 'plaintext' }] });
    expect(await s.poll()).toBeUndefined();
    cp.serve(200, { ...config(4, ['FJD']), clusterId: 'c_other' });
    expect(await s.poll()).toBeUndefined();
    expect(s.current?.version).toBe(2);
    s.stop();
  });

  it('does not apply anything with a wrong token', async () => {
    const applied: ClusterConfig[] = [];
    const s = source('wrong-token', applied);
    expect(await s.poll()).toBeUndefined();
    expect(applied).toEqual([]);
  });

  it('starts from the cached copy when the control plane is down', async () => {
    await cp.close();
    const applied: ClusterConfig[] = [];
    const s = source(TOKEN, applied);
    const started = await s.start();
    s.stop();
    expect(started?.version).toBe(2);
    expect(applied.map((c) => c.credentials.map((k) => k.key))).toEqual([['FJA', 'FJB']]);
  });
});
