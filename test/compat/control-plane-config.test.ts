import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCredential, startBroker, type TestBroker } from '../helpers/broker.ts';
import { kcatSaslArgs, runKcat } from '../helpers/kcat.ts';

const TOKEN = 'broker-token-xyz';
const KEY = 'FJFROMCP';
const SECRET = 'secret-served-by-the-control-plane';

describe('credentials from the control plane', () => {
  let dataDir: string;
  let broker: TestBroker;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-cp-broker-'));
    const body = JSON.stringify({ clusterId: 'c_cp', version: 1, credentials: [makeCredential(KEY, SECRET)], quotas: {}, tiering: {} });
    server = http.createServer((req, res) => {
      const ok = req.url === '/internal/clusters/c_cp/config' && req.headers.authorization === `Bearer ${TOKEN}`;
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' }).end(ok ? body : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    broker = await startBroker({
      dataDir,
      auth: 'sasl_plain',
      clusterId: 'c_cp',
      config: { controlPlane: { url, token: TOKEN, pollIntervalMs: 60_000 } },
    });
  });

  afterAll(async () => {
    await broker?.stop();
    if (server?.listening) await new Promise((resolve) => server.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  const list = (password: string) => runKcat(['-b', broker.address, ...kcatSaslArgs({ username: KEY, password }), '-L', '-m', '2']);

  it('accepts the keys the control plane serves, and keeps them from its cache when the control plane is down', async () => {
    expect((await list(SECRET)).code).toBe(0);
    expect((await list('wrong')).code).not.toBe(0);

    await new Promise((resolve) => server.close(resolve));
    await broker.kill9();
    await broker.restart();
    expect(broker.logs.map((l) => l.msg)).toContain('control plane unreachable, using cached cluster config');
    expect((await list(SECRET)).code).toBe(0);
  });
});
