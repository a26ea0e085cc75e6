import { readFile } from 'node:fs/promises';
import { brokerConfigSchema, type BrokerConfig } from '@fjord/broker-contract';
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

export function parseBrokerConfigJson(text: string, source: string): BrokerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${source} is not JSON: ${(err as Error).message}`);
  }
  return parseBrokerConfig(json, source);
}

export function advertisedAddress(config: BrokerConfig, boundPort: number): { host: string; port: number } {
  if (config.advertised) return config.advertised;
  return { host: config.listen.host, port: boundPort };
}
