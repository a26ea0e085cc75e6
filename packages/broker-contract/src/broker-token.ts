import type { BrokerConfigInput } from './broker-config.ts';

/**
 * Where the config sits in plain view (an ECS task definition), the broker token travels apart from
 * it, in BROKER_TOKEN_ENV filled from a secret. These two functions are the two ends of that trip.
 */
export function separateBrokerToken(config: BrokerConfigInput): { config: BrokerConfigInput; token?: string } {
  if (!config.controlPlane) return { config };
  const { token, ...controlPlane } = config.controlPlane;
  return { config: { ...config, controlPlane: controlPlane as BrokerConfigInput['controlPlane'] }, token };
}

/** The config as read (not yet validated) with the token from its own variable put back, when one is set. */
export function withBrokerToken(config: unknown, token: string | undefined): unknown {
  if (!token || config === null || typeof config !== 'object') return config;
  const { controlPlane } = config as { controlPlane?: unknown };
  if (controlPlane === null || typeof controlPlane !== 'object') return config;
  return { ...config, controlPlane: { ...controlPlane, token } };
}
