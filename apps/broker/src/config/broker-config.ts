import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isSecretHash } from '../server/credentials.ts';

const hostPort = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
});

export const credentialSchema = z.object({
  key: z.string().min(1),
  secretHash: z.string().refine(isSecretHash, 'expected sha256$<salt b64>$<hash b64>'),
});

const logSchema = z.object({
  segmentBytes: z.number().int().min(1024).default(134_217_728),
  segmentMs: z.number().int().positive().default(604_800_000),
  retentionMs: z.number().int().min(-1).default(604_800_000),
  retentionBytes: z.number().int().min(-1).default(-1),
  flush: z.enum(['every-write', 'interval', 'none']).default('every-write'),
  flushIntervalMs: z.number().int().positive().default(1000),
  retentionCheckIntervalMs: z.number().int().positive().default(60_000),
  /** How often compacted topics are cleaned (a pass over an unchanged log costs nothing). */
  cleanerIntervalMs: z.number().int().positive().default(15_000),
});

const limitsSchema = z.object({
  maxPartitions: z.number().int().positive().default(1000),
  maxMessageBytes: z.number().int().positive().default(1_048_576),
  /** Largest request frame accepted; a bigger size prefix closes the connection. */
  maxRequestBytes: z.number().int().positive().default(100 * 1024 * 1024),
});

export const brokerConfigSchema = z
  .object({
    clusterId: z.string().min(1),
    nodeId: z.number().int().min(0),
    listen: hostPort,
    advertised: hostPort.optional(),
    dataDir: z.string().min(1).refine(path.isAbsolute, 'must be an absolute path'),
    auth: z.enum(['none', 'sasl_plain']),
    credentials: z.array(credentialSchema).default([]),
    controlPlane: z
      .object({
        url: z.url(),
        token: z.string().min(1),
        pollIntervalMs: z.number().int().positive().default(2000),
      })
      .optional(),
    log: logSchema.default(logSchema.parse({})),
    limits: limitsSchema.default(limitsSchema.parse({})),
    autoCreateTopics: z.boolean().default(false),
  })
  .strict();

export type BrokerConfig = z.infer<typeof brokerConfigSchema>;
export type LogDefaults = BrokerConfig['log'];

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

/** The environment variable holding the whole config as JSON, for containers that get no file (ECS). */
export const CONFIG_ENV = 'FJORD_BROKER_CONFIG_JSON';

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
