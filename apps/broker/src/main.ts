import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startBroker } from './broker.ts';
import { BROKER_CONFIG_ENV, BROKER_LOG_LEVEL_ENV, type BrokerConfig } from '@fjord/broker-contract';
import { ConfigError, loadBrokerConfig, parseBrokerConfigJson } from './config/broker-config.ts';

const USAGE = `usage: broker --config <file.json>  (or: broker <file.json>, or the config JSON in ${BROKER_CONFIG_ENV})`;

async function main(): Promise<void> {
  const logger = pino({ name: 'fjord-broker', level: process.env[BROKER_LOG_LEVEL_ENV] ?? 'info' });
  let configFile: string | undefined;
  try {
    const { values, positionals } = parseArgs({ options: { config: { type: 'string', short: 'c' } }, allowPositionals: true });
    // `npm run broker -- --config f` reaches us as a bare `f`: the nested npm takes --config for itself.
    configFile = values.config ?? positionals[0];
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(1);
  }
  const fromEnv = process.env[BROKER_CONFIG_ENV];
  if (!configFile && !fromEnv) {
    console.error(USAGE);
    process.exit(1);
  }
  let config: BrokerConfig;
  try {
    if (configFile) {
      // `npm run broker -- --config f` runs in apps/broker: resolve against where the user typed it.
      config = await loadBrokerConfig(path.resolve(process.env.INIT_CWD ?? process.cwd(), configFile));
    } else {
      config = parseBrokerConfigJson(fromEnv!, BROKER_CONFIG_ENV);
    }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }

  const log = logger.child({ clusterId: config.clusterId, nodeId: config.nodeId });
  let broker;
  try {
    broker = await startBroker(config, log);
  } catch (err) {
    log.fatal({ err }, 'broker failed to start');
    process.exit(1);
  }
  log.info({ host: config.listen.host, port: broker.port, auth: config.auth, tls: config.tls !== undefined }, 'broker listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'broker stopping');
    broker.close().then(
      () => {
        log.info('broker stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'broker did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
