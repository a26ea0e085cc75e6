import path from 'node:path';

export interface ControlPlaneConfig {
  host: string;
  port: number;
  /** Absolute directory holding all local state (the embedded database under `pgdata/`). */
  dataDir: string;
  /** PostgreSQL server to use instead of the embedded database. */
  databaseUrl?: string;
  logLevel: string;
  secureCookies: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the environment. Relative FJORD_DATA_DIR paths resolve against the directory the command
 * was started from: `npm start -w` runs in the workspace, but npm keeps the original in INIT_CWD.
 */
export function loadConfig(env: NodeJS.ProcessEnv): ControlPlaneConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be an integer from 0 to 65535, got ${env.PORT}`);
  const startDir = env.INIT_CWD ?? process.cwd();
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL must be a postgresql:// URL');
  return {
    host: env.HOST ?? '127.0.0.1',
    port,
    dataDir: path.resolve(startDir, env.FJORD_DATA_DIR ?? '.fjord'),
    databaseUrl,
    logLevel: env.LOG_LEVEL ?? 'info',
    secureCookies: env.FJORD_SECURE_COOKIES === 'true',
  };
}
