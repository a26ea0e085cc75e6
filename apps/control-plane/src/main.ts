import { mkdir } from 'node:fs/promises';
import { openDatabase, type Database } from '@fjord/db';
import { createObjectStore } from '@fjord/object-store';
import { createOrchestrator, findFreePort, orchestratorConfigFromEnv, type Orchestrator } from '@fjord/orchestrator';
import { buildApp } from './app.ts';
import { ClusterSecrets } from './cluster-secrets.ts';
import { createDataAccess } from './data-access.ts';
import { ConfigError, loadConfig, type ControlPlaneConfig } from './config.ts';
import { LocalLeaderLock, PostgresLeaderLock } from './reconciler/leader-lock.ts';
import { brokerObjectStore, objectStoreFromEnv } from './reconciler/object-store-config.ts';
import { Reconciler } from './reconciler/reconciler.ts';
import { InvoiceFinalizer } from './modules/invoices/invoice-finalizer.ts';
import { loadServerSecret } from './server-secret.ts';

// `npm start`: the control plane with everything it needs, on this machine.

function fail(message: string): never {
  console.error(`fjord control plane: ${message}`);
  process.exit(1);
}

function readConfig(): ControlPlaneConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}

async function openAndMigrate(config: ControlPlaneConfig): Promise<{ db: Database; applied: string[] }> {
  try {
    await mkdir(config.dataDir, { recursive: true });
    const db = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
    const { applied } = await db.migrate();
    return { db, applied };
  } catch (err) {
    fail(`cannot open the database: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function clusterRuntime(config: ControlPlaneConfig) {
  try {
    const secrets = new ClusterSecrets(await loadServerSecret(config.secretKey, config.dataDir));
    const orchestrator = createOrchestrator(orchestratorConfigFromEnv(process.env, config.dataDir));
    const objects = objectStoreFromEnv(process.env, config.dataDir);
    return {
      secrets,
      orchestrator,
      objectStore: createObjectStore(objects.config),
      objectPrefix: objects.prefix,
      brokerObjectStore: brokerObjectStore(objects.config, objects.prefix),
    };
  } catch (err) {
    fail(`cannot set up cluster provisioning: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const config = readConfig();
const runtime = await clusterRuntime(config);
const { db, applied } = await openAndMigrate(config);
let reconciler: Reconciler | undefined;
const app = await buildApp({
  prisma: db.prisma,
  logger: { level: config.logLevel },
  secureCookies: config.secureCookies,
  strictTransportSecurity: config.strictTransportSecurity,
  sessionIdleMs: config.sessionIdleMs,
  trustProxy: config.trustProxy,
  publicUrl: config.publicUrl,
  clusterSecrets: runtime.secrets,
  placement: { host: config.brokerHost, allocatePort: () => findFreePort(config.brokerHost) },
  tieredStorage: { store: runtime.objectStore, prefix: runtime.objectPrefix },
  onClusterChange: () => reconciler?.wake(),
});
app.log.info({ database: db.kind, dataDir: config.dataDir, appliedMigrations: applied }, 'database ready');

// One Ctrl-C under `npm start` arrives several times (the terminal signals the whole process group,
// and npm and tsx pass it on again): only a signal this long after the first is a second Ctrl-C.
const REPEATED_SIGNAL_MS = 1_000;
let stoppingSince: number | undefined;
function onSignal(signal: NodeJS.Signals) {
  if (stoppingSince === undefined) {
    stoppingSince = Date.now();
    void stop(signal);
  } else if (Date.now() - stoppingSince >= REPEATED_SIGNAL_MS) {
    // Brokers already sent SIGTERM finish stopping on their own; any still running are adopted by the next start.
    app.log.warn({ signal }, 'second signal: exiting without waiting');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
}
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

async function stop(signal: NodeJS.Signals) {
  app.log.info({ signal, drainMs: config.drainMs }, 'shutting down');
  // Fail readiness first so a load balancer stops routing here, then let in-flight requests finish.
  app.draining = true;
  if (config.drainMs > 0) await new Promise((r) => setTimeout(r, config.drainMs));
  // The reconciler stops first so it does not restart what is being stopped. Only local brokers
  // stop with the control plane (a laptop cloud); ECS brokers keep serving through redeploys.
  await reconciler?.stop(async () => {
    if (runtime.orchestrator.stopAll) await stopBrokers(runtime.orchestrator.stopAll.bind(runtime.orchestrator));
  });
  await runtime.orchestrator.close();
  await runtime.objectStore.close();
  await app.close();
  await db.close();
  process.exit(0);
}

async function stopBrokers(stopAll: NonNullable<Orchestrator['stopAll']>) {
  const log = app.log.child({ component: 'orchestrator' });
  const started = Date.now();
  log.info('stopping local brokers');
  const stopped = await stopAll((b) => {
    const line = { clusterId: b.clusterId, nodeId: b.nodeId, pid: b.pid, outcome: b.outcome, ms: b.ms, reason: b.reason };
    if (b.outcome === 'failed') log.error(line, 'broker did not stop');
    else log.info(line, 'broker stopped');
  });
  const count = (outcome: string) => stopped.filter((b) => b.outcome === outcome).length;
  log.info(
    { brokers: stopped.length, killed: count('killed'), failed: count('failed'), ms: Date.now() - started },
    'local brokers stopped',
  );
}

try {
  await app.listen({ host: config.host, port: config.port });
} catch (err) {
  await db.close();
  fail(`cannot listen on ${config.host}:${config.port}: ${err instanceof Error ? err.message : String(err)}`);
}
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
app.log.info({ host: config.host, port }, 'control plane listening');

// Brokers call back on the internal URL, else the public one, else where this process listens.
const ownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
const { repos, transact } = createDataAccess(db.prisma);
const finalizer = new InvoiceFinalizer({ finalizeDue: () => app.services.invoices.finalizeDue(), logger: app.log.child({ component: 'invoices' }) });
reconciler = new Reconciler({
  repos,
  transact,
  orchestrator: runtime.orchestrator,
  secrets: runtime.secrets,
  certificates: app.services.brokerCertificates,
  objectStore: runtime.objectStore,
  objectPrefix: runtime.objectPrefix,
  brokerObjectStore: runtime.brokerObjectStore,
  controlPlaneUrl: config.internalUrl ?? config.publicUrl ?? `http://${ownHost.includes(':') ? `[${ownHost}]` : ownHost}:${port}`,
  lock: config.databaseUrl ? new PostgresLeaderLock(config.databaseUrl) : new LocalLeaderLock(),
  logger: app.log.child({ component: 'reconciler' }),
  onClusterChange: (clusterId) => app.services.clusterChanges.notify(clusterId),
  whileLeading: () => finalizer.tick(),
});
reconciler.start();
