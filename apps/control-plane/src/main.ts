import { mkdir } from 'node:fs/promises';
import { openDatabase } from '@fjord/db';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

// `npm start`: the control plane with everything it needs, on this machine.
let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`fjord control plane: ${err.message}`);
  process.exit(1);
}

await mkdir(config.dataDir, { recursive: true });
const db = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
const { applied } = await db.migrate();
const app = await buildApp({ prisma: db.prisma, logger: { level: config.logLevel }, secureCookies: config.secureCookies });
app.log.info({ database: db.kind, dataDir: config.dataDir, appliedMigrations: applied }, 'database ready');

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'shutting down');
  await app.close();
  await db.close();
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

await app.listen({ host: config.host, port: config.port });
const address = app.server.address();
app.log.info({ host: config.host, port: typeof address === 'object' && address ? address.port : config.port }, 'control plane listening');
