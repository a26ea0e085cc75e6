import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Services } from '../composition.ts';
import { ApiProblem } from '../errors.ts';

/** Every limit a route may name; each counts per route and per subject. */
export type LimitName = 'signin-per-address' | 'signin-per-email' | 'api-key-creation' | 'cluster-creation';
export interface RatePolicy {
  max: number;
  /** Window length in ms. */
  timeWindow: number;
}
export type RateLimits = Record<LimitName, RatePolicy>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Limits this route counts against, checked after authentication and validation. */
    limits?: readonly LimitName[];
  }
}

export const defaultRateLimits: RateLimits = {
  // Behind the load balancer the address is the client's only with trustProxy set (FJORD_TRUST_PROXY).
  'signin-per-address': { max: 10, timeWindow: 60_000 },
  // Guessing one account's password from many addresses.
  'signin-per-email': { max: 10, timeWindow: 15 * 60_000 },
  'api-key-creation': { max: 100, timeWindow: 3600_000 },
  // Room for bench/provisioning.ts (40 clusters in one organization) and for scripted fleets.
  'cluster-creation': { max: 100, timeWindow: 3600_000 },
};

/** Whom a limit counts: the client address, the email in the body, or the caller's organization. */
const subjects: Record<LimitName, (req: FastifyRequest) => string> = {
  'signin-per-address': (req) => req.ip,
  'signin-per-email': (req) => String((req.body as { email?: unknown } | undefined)?.email ?? '').toLowerCase(),
  'api-key-creation': (req) => req.ctx.orgId,
  'cluster-creation': (req) => req.ctx.orgId,
};

/** @fastify/rate-limit's store interface over the shared table, so every replica counts the same windows. */
function postgresStore(windows: Services['rateLimits']) {
  return class PostgresRateLimitStore {
    // The plugin passes the window as a third argument its types leave out.
    incr(key: string, done: (err: Error | null, result?: { current: number; ttl: number }) => void, timeWindow = 60_000) {
      windows.hit(key, timeWindow).then(
        ({ hits, ttlMs }) => done(null, { current: hits, ttl: ttlMs }),
        (err: Error) => done(err),
      );
    }
    child() {
      return this;
    }
  };
}

export interface RateLimitsOptions {
  services: Pick<Services, 'rateLimits'>;
  limits: RateLimits;
}

/**
 * Counts requests of routes that name limits in their config, in PostgreSQL, and answers 429
 * `rate-limited` with Retry-After once one is used up. Registered before idempotency, so a refused
 * request claims no Idempotency-Key.
 */
export const rateLimits = fp<RateLimitsOptions>(
  async (app, { services, limits }) => {
    await app.register(rateLimit, { global: false, store: postgresStore(services.rateLimits) });
    const checks = new Map(
      (Object.keys(limits) as LimitName[]).map((name) => {
        const policy = limits[name];
        const check = app.createRateLimit({
          ...policy,
          keyGenerator: (req) => `${name}|${req.method} ${req.routeOptions.url}|${subjects[name](req)}`,
        });
        return [name, check] as const;
      }),
    );

    app.addHook('preHandler', async (req, reply) => {
      for (const name of req.routeOptions.config?.limits ?? []) {
        const result = await checks.get(name)!(req);
        if (!result.isAllowed && result.isExceeded) {
          reply.header('retry-after', result.ttlInSeconds);
          throw new ApiProblem('FJ_RATE_LIMITED', `too many requests (${name}); try again in ${result.ttlInSeconds} s`);
        }
      }
    });
  },
  { name: 'fjord-rate-limits', dependencies: ['fjord-auth-context'] },
);
