import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createObjectStore } from '@fjord/object-store';
import { LocalOrchestrator } from '@fjord/orchestrator';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSecrets } from '../src/cluster-secrets.ts';
import { createDataAccess } from '../src/data-access.ts';
import { InvoiceFinalizer } from '../src/modules/invoices/invoice-finalizer.ts';
import { LocalLeaderLock, type LeaderLock } from '../src/reconciler/leader-lock.ts';
import { Reconciler, type ReconcilerOptions } from '../src/reconciler/reconciler.ts';
import { until } from '../../../test/helpers/control-plane.ts';
import { startTestApp, type TestApp } from './helpers.ts';
import { testBackends } from '@fjord/db/testing';

const [pglite] = await testBackends();

/** Another replica holds the lock for as long as this test runs. */
const standbyLock: LeaderLock = { held: false, tryAcquire: async () => false, release: async () => {} };

describe('monthly invoice finalization', () => {
  let t: TestApp;
  let dataDir: string;
  let options: Omit<ReconcilerOptions, 'lock' | 'whileLeading'>;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-finalizer-'));
    const secrets = new ClusterSecrets(randomBytes(32));
    t = await startTestApp(pglite, { clusterSecrets: secrets });
    const { repos, transact } = createDataAccess(t.db.prisma);
    options = {
      repos,
      transact,
      orchestrator: new LocalOrchestrator({ kind: 'local', dataDir, startTimeoutMs: 5_000, stopGraceMs: 1_000 }),
      secrets,
      certificates: t.app.services.brokerCertificates,
      objectStore: createObjectStore({ kind: 'fs', root: path.join(dataDir, 'objects') }),
      controlPlaneUrl: 'http://127.0.0.1:9',
      logger,
      intervalMs: 20,
      lockRetryMs: 20,
    };
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("runs on the reconciler's leader, and never on a standby", async () => {
    let runs = 0;
    const finalizer = new InvoiceFinalizer({ finalizeDue: async () => (runs++, []), everyMs: 0, logger });
    const whileLeading = () => finalizer.tick();

    const standby = new Reconciler({ ...options, lock: standbyLock, whileLeading });
    standby.start();
    await new Promise((r) => setTimeout(r, 200));
    await standby.stop();
    expect(runs).toBe(0);

    const leader = new Reconciler({ ...options, lock: new LocalLeaderLock(), whileLeading });
    leader.start();
    await until('the leader to finalize', () => (runs >= 2 ? true : undefined), 5_000, 10);
    await leader.stop();
  });

  it('runs at most once per interval, and a failed run is tried again on a later one', async () => {
    let runs = 0;
    const failing = async (): Promise<string[]> => {
      runs++;
      throw new Error('database away');
    };
    const hourly = new InvoiceFinalizer({ finalizeDue: failing, everyMs: 3_600_000, logger });
    await hourly.tick();
    await hourly.tick();
    expect(runs).toBe(1);
    const eager = new InvoiceFinalizer({ finalizeDue: failing, everyMs: 0, logger });
    await eager.tick();
    await eager.tick();
    expect(runs).toBe(3);
  });
});
