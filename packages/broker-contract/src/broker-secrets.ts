import * as z from 'zod';
import type { BrokerConfigInput } from './broker-config.ts';

/**
 * The secret parts of a broker config: its control-plane token and its TLS private key. Where the
 * config sits in plain view (an ECS task definition), they travel apart from it, as this JSON in
 * BROKER_SECRETS_ENV filled from a secret store. These functions are the two ends of that trip.
 */
export const brokerSecretsSchema = z
  .object({
    token: z.string().min(1).optional(),
    tlsKeyPem: z.string().min(1).optional(),
  })
  .strict();
export type BrokerSecrets = z.infer<typeof brokerSecretsSchema>;

/** The config without its secrets, and the secrets (undefined when it has none). */
export function separateBrokerSecrets(config: BrokerConfigInput): { config: BrokerConfigInput; secrets?: BrokerSecrets } {
  const secrets: BrokerSecrets = {};
  let shown = config;
  if (config.controlPlane) {
    const { token, ...controlPlane } = config.controlPlane;
    secrets.token = token;
    shown = { ...shown, controlPlane: controlPlane as BrokerConfigInput['controlPlane'] };
  }
  if (config.tls) {
    const { keyPem, ...tls } = config.tls;
    secrets.tlsKeyPem = keyPem;
    shown = { ...shown, tls: tls as BrokerConfigInput['tls'] };
  }
  return Object.keys(secrets).length === 0 ? { config } : { config: shown, secrets };
}

/** The config as read (not yet validated) with its secrets put back where they belong. */
export function withBrokerSecrets(config: unknown, secrets: BrokerSecrets | undefined): unknown {
  if (!secrets || config === null || typeof config !== 'object') return config;
  const merged = { ...(config as Record<string, unknown>) };
  const section = (name: string) => (merged[name] !== null && typeof merged[name] === 'object' ? (merged[name] as object) : undefined);
  const controlPlane = section('controlPlane');
  if (secrets.token && controlPlane) merged.controlPlane = { ...controlPlane, token: secrets.token };
  const tls = section('tls');
  if (secrets.tlsKeyPem && tls) merged.tls = { ...tls, keyPem: secrets.tlsKeyPem };
  return merged;
}
