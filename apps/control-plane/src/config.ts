import path from 'node:path';
import { z } from 'zod';
import { parseServerSecret } from './server-secret.ts';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.ts';

export interface ControlPlaneConfig {
  host: string;
  port: number;
  /** Absolute directory holding all local state (the embedded database under `pgdata/`). */
  dataDir: string;
  /** PostgreSQL server to use instead of the embedded database. */
  databaseUrl?: string;
  logLevel: string;
  /** Session cookies carry `Secure`: always in production. */
  secureCookies: boolean;
  /** Every answer carries Strict-Transport-Security: in production, where the API is served over HTTPS only. */
  strictTransportSecurity: boolean;
  /** NODE_ENV=production: an external database and public URL are required. */
  production: boolean;
  /** Where users reach the API; also the default address brokers call back on. */
  publicUrl?: string;
  /** Where brokers reach the control plane when that differs from the public URL. */
  internalUrl?: string;
  /** How long readiness fails before the server closes on SIGTERM (the load balancer's deregistration time). */
  drainMs: number;
  /** Server secret the per-cluster broker tokens and admin credentials derive from (else generated under dataDir; required in production). */
  secretKey?: Buffer;
  /** Host clients reach new clusters' brokers on (their bootstrap address); locally brokers listen on it. */
  brokerHost: string;
  /** A console session unused this long has ended (default 7 days). */
  sessionIdleMs: number;
  /** Proxies whose X-Forwarded-For gives the client address (rate limits count per client). */
  trustProxy?: TrustProxy;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const httpUrl = optional.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), 'must be an http(s):// URL');

const EnvSchema = z.object({
  NODE_ENV: optional,
  HOST: optional,
  PORT: optional.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) <= 65535), 'must be an integer from 0 to 65535'),
  FJORD_DATA_DIR: optional,
  DATABASE_URL: optional.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), 'must be a postgresql:// URL'),
  DATABASE_HOST: optional,
  DATABASE_PORT: optional.refine((v) => v === undefined || /^\d+$/.test(v), 'must be a port number'),
  DATABASE_NAME: optional,
  DATABASE_USER: optional,
  DATABASE_PASSWORD: optional,
  DATABASE_SSLMODE: z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  FJORD_SECURE_COOKIES: z.enum(['true', 'false']).optional(),
  FJORD_PUBLIC_URL: httpUrl,
  FJORD_INTERNAL_URL: httpUrl,
  FJORD_DRAIN_MS: optional.refine((v) => v === undefined || /^\d+$/.test(v), 'must be a number of milliseconds'),
  FJORD_SECRET_KEY: optional,
  FJORD_SESSION_IDLE_MS: optional.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) > 0), 'must be a positive number of milliseconds'),
  FJORD_BROKER_HOST: optional,
  FJORD_TRUST_PROXY: optional.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const parsed = parseTrustProxy(v);
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.trustProxy;
  }),
  INIT_CWD: optional,
});
type Env = z.infer<typeof EnvSchema>;

/** The parts infra passes from the RDS secret, composed when DATABASE_URL itself is absent. */
const DATABASE_PARTS = ['DATABASE_HOST', 'DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD'] as const;

function databaseUrlFrom(env: Env): string | undefined {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const given = DATABASE_PARTS.filter((k) => env[k] !== undefined);
  if (given.length === 0) return undefined;
  const missing = DATABASE_PARTS.filter((k) => env[k] === undefined);
  if (missing.length > 0) throw new ConfigError(`${missing.join(', ')} must be set together with ${given.join(', ')} (or set DATABASE_URL)`);
  const user = encodeURIComponent(env.DATABASE_USER!);
  const password = encodeURIComponent(env.DATABASE_PASSWORD!);
  const query = env.DATABASE_SSLMODE ? `?sslmode=${env.DATABASE_SSLMODE}` : '';
  return `postgresql://${user}:${password}@${env.DATABASE_HOST}:${env.DATABASE_PORT ?? '5432'}/${encodeURIComponent(env.DATABASE_NAME!)}${query}`;
}

function secretFrom(text: string): Buffer {
  try {
    return parseServerSecret(text, 'FJORD_SECRET_KEY');
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/**
 * Reads and validates the environment; every problem names its variable. Relative FJORD_DATA_DIR
 * paths resolve against the directory the command was started from (npm keeps it in INIT_CWD).
 */
export function loadConfig(env: NodeJS.ProcessEnv): ControlPlaneConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const databaseUrl = databaseUrlFrom(e);
  if (production) {
    const missing: string[] = [];
    if (!databaseUrl) missing.push('DATABASE_URL (or DATABASE_HOST, DATABASE_NAME, DATABASE_USER, DATABASE_PASSWORD)');
    if (!e.FJORD_PUBLIC_URL) missing.push('FJORD_PUBLIC_URL');
    // Replicas must derive the same broker tokens, and a deploy must not change them.
    if (!e.FJORD_SECRET_KEY) missing.push('FJORD_SECRET_KEY');
    if (missing.length > 0) throw new ConfigError(`NODE_ENV=production requires ${missing.join(' and ')}`);
  }
  return {
    host: e.HOST ?? '127.0.0.1',
    port: Number(e.PORT ?? 8080),
    dataDir: path.resolve(e.INIT_CWD ?? process.cwd(), e.FJORD_DATA_DIR ?? '.fjord'),
    databaseUrl,
    logLevel: e.LOG_LEVEL ?? 'info',
    // Forced, not refused when false: a deployment without a certificate (infra's explicit insecure
    // flag) still serves API keys; browsers drop the cookie there, which is the price of that flag.
    secureCookies: production || e.FJORD_SECURE_COOKIES === 'true',
    strictTransportSecurity: production,
    production,
    publicUrl: e.FJORD_PUBLIC_URL,
    internalUrl: e.FJORD_INTERNAL_URL,
    drainMs: Number(e.FJORD_DRAIN_MS ?? (production ? 5000 : 0)),
    secretKey: e.FJORD_SECRET_KEY === undefined ? undefined : secretFrom(e.FJORD_SECRET_KEY),
    brokerHost: e.FJORD_BROKER_HOST ?? '127.0.0.1',
    sessionIdleMs: Number(e.FJORD_SESSION_IDLE_MS ?? 7 * 24 * 3600 * 1000),
    trustProxy: e.FJORD_TRUST_PROXY,
  };
}
