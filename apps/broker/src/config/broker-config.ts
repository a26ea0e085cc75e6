import { readFile } from 'node:fs/promises';
import { BROKER_SECRETS_ENV, brokerConfigSchema, brokerSecretsSchema, withBrokerSecrets, type BrokerConfig, type BrokerSecrets } from '@fjord/broker-contract';
import * as z from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseBrokerConfig(input: unknown, source = 'config'): BrokerConfig {
  const result = brokerConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(`invalid ${source}:\n${z.prettifyError(result.error)}`);
  return result.data;
}

export async function loadBrokerConfig(file: string): Promise<BrokerConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message}`);
  }
  return parseBrokerConfigJson(text, `config ${file}`);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${source} is not JSON: ${(err as Error).message}`);
  }
}

/** The secrets an ECS container secret put in BROKER_SECRETS_ENV, if any. */
function secretsFrom(env: NodeJS.ProcessEnv): BrokerSecrets | undefined {
  const text = env[BROKER_SECRETS_ENV];
  if (text === undefined) return undefined;
  const parsed = brokerSecretsSchema.safeParse(parseJson(text, BROKER_SECRETS_ENV));
  if (!parsed.success) throw new ConfigError(`invalid ${BROKER_SECRETS_ENV}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Parses a config text; secrets in BROKER_SECRETS_ENV (an ECS container secret) take their places in it. */
export function parseBrokerConfigJson(text: string, source: string, env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  return parseBrokerConfig(withBrokerSecrets(parseJson(text, source), secretsFrom(env)), source);
}

export function advertisedAddress(config: BrokerConfig, boundPort: number): { host: string; port: number } {
  if (config.advertised) return config.advertised;
  return { host: config.listen.host, port: boundPort };
}
