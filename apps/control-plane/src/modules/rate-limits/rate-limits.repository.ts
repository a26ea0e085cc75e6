import type { Db } from '../../repository.ts';

export interface Hit {
  /** Requests counted in the current window, this one included. */
  hits: number;
  /** Until the window resets. */
  ttlMs: number;
}

export function rateLimitsRepository(db: Db) {
  return {
    /**
     * Counts one request against `key` in one statement, so replicas racing on a key never lose a hit:
     * a window past its reset starts again at 1. The database's clock decides, the same for every replica
     * (`resetAt` keeps milliseconds, so the remaining time is capped at the window it may round above).
     */
    async hit(key: string, windowMs: number): Promise<Hit> {
      const [row] = await db.$queryRaw<Hit[]>`
        INSERT INTO "RateLimitBucket" ("key", "hits", "resetAt")
        VALUES (${key}, 1, now() + ${windowMs}::int * interval '1 millisecond')
        ON CONFLICT ("key") DO UPDATE SET
          "hits" = CASE WHEN "RateLimitBucket"."resetAt" <= now() THEN 1 ELSE "RateLimitBucket"."hits" + 1 END,
          "resetAt" = CASE WHEN "RateLimitBucket"."resetAt" <= now() THEN EXCLUDED."resetAt" ELSE "RateLimitBucket"."resetAt" END
        RETURNING "hits", LEAST(${windowMs}::int, GREATEST(0, CEIL(EXTRACT(EPOCH FROM ("resetAt" - now())) * 1000)))::int AS "ttlMs"`;
      return row;
    },
    /** Housekeeping across tenants: windows that have reset carry nothing any more (a minute's margin for clock skew). */
    async purgeExpired(limit: number): Promise<number> {
      const { count } = await db.rateLimitBucket.deleteMany({ where: { resetAt: { lt: new Date(Date.now() - 60_000) } }, limit });
      return count;
    },
  };
}
