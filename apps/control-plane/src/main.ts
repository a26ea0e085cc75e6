import { mkdir } from 'node:fs/promises';
import { openDatabase, type Database } from '@fjord/db';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type ControlPlaneConfig } from './config.ts';

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

const config = readConfig();
const { db, applied } = await openAndMigrate(config);
const app = await buildApp({ prisma: db.prisma, logger: { level: config.logLevel }, secureCookies: config.secureCookies });
app.log.info({ database: db.kind, dataDir: config.dataDir, appliedMigrations: applied }, 'database ready');

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal, drainMs: config.drainMs }, 'shutting down');
  // Fail readiness first so a load balancer stops routing here, then let in-flight requests finish.
  app.draining = true;
  if (config.drainMs > 0) await new Promise((r) => setTimeout(r, config.drainMs));
  await app.close();
  await db.close();
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

try {
  await app.listen({ host: config.host, port: config.port });
} catch (err) {
  await db.close();
  fail(`cannot listen on ${config.host}:${config.port}: ${err instanceof Error ? err.message : String(err)}`);
}
const address = app.server.address();
app.log.info({ host: config.host, port: typeof address === 'object' && address ? address.port : config.port }, 'control plane listening');
