/**
 * Environment variables a broker process reads. The config travels whole in one variable where a
 * container gets no file (ECS); everything else is in the config itself.
 */
export const BROKER_CONFIG_ENV = 'FJORD_BROKER_CONFIG_JSON';
/** pino level of the broker's JSON log lines. */
export const BROKER_LOG_LEVEL_ENV = 'LOG_LEVEL';
/**
 * The config's secret parts (broker token, TLS private key) as JSON (brokerSecretsSchema), kept out
 * of the config where the config sits in plain view (an ECS task definition's environment): ECS
 * injects it from a secret and the broker puts each part back in its place.
 */
export const BROKER_SECRETS_ENV = 'FJORD_BROKER_SECRETS_JSON';

/**
 * All a local broker process inherits from the control plane that spawns it: what node and the OS
 * need to run it, nothing of the control plane's own settings (database URL, server secret).
 */
export const BROKER_PROCESS_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'NODE_OPTIONS', BROKER_LOG_LEVEL_ENV] as const;

/** The environment for a broker process: the names in BROKER_PROCESS_ENV that `from` sets, and only those. */
export function brokerProcessEnv(from: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BROKER_PROCESS_ENV) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
