import { readFile } from 'node:fs/promises';
import { BROKER_TOKEN_ENV, brokerConfigSchema, withBrokerToken, type BrokerConfig } from '@fjord/broker-contract';
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

/** Parses a config text; a broker token in BROKER_TOKEN_ENV (an ECS container secret) takes the place of the config's. */
export function parseBrokerConfigJson(text: string, source: string, env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${source} is not JSON: ${(err as Error).message}`);
  }
  return parseBrokerConfig(withBrokerToken(json, env[BROKER_TOKEN_ENV]), source);
}

export function advertisedAddress(config: BrokerConfig, boundPort: number): { host: string; port: number } {
  if (config.advertised) return config.advertised;
  return { host: config.listen.host, port: boundPort };
}
