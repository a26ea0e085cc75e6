import { createHash } from 'node:crypto';
import type { AuthContext } from '../../auth-context.ts';
import type { Repositories } from '../../data-access.ts';
import { ApiProblem } from '../../errors.ts';
import { isUniqueViolation } from '../../repository.ts';

type Deps = { repos: Pick<Repositories, 'idempotency'> };

export interface StoredResponse {
  statusCode: number;
  contentType: string | null;
  body: string;
}

/** What a request with an Idempotency-Key does: run (holding a claim) or replay a stored answer. */
export type IdempotencyOutcome = { kind: 'run'; claimId: string } | { kind: 'replay'; response: StoredResponse };

export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${url}\n${JSON.stringify(body ?? null)}`).digest('hex');
}

/** How long a key is remembered: retries come within minutes; a day later the key may be reused. */
export const idempotencyKeyTtlMs = 24 * 3600 * 1000;

export function idempotencyService({ repos }: Deps) {
  return {
    async begin(ctx: AuthContext, key: string, fingerprint: string): Promise<IdempotencyOutcome> {
      let existing = await repos.idempotency.find(ctx.orgId, ctx.actor.id, key);
      if (existing && existing.createdAt.getTime() < Date.now() - idempotencyKeyTtlMs) {
        await repos.idempotency.release(ctx.orgId, existing.id);
        existing = null;
      }
      if (!existing) {
        try {
          const claim = await repos.idempotency.claim(ctx.orgId, { actorId: ctx.actor.id, key, requestHash: fingerprint });
          return { kind: 'run', claimId: claim.id };
        } catch (err) {
          if (isUniqueViolation(err)) throw new ApiProblem('FJ_IDEMPOTENCY_IN_PROGRESS');
          throw err;
        }
      }
      if (existing.requestHash !== fingerprint) {
        throw new ApiProblem('FJ_IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was first used with another method, path or body');
      }
      if (existing.statusCode === null || existing.body === null) throw new ApiProblem('FJ_IDEMPOTENCY_IN_PROGRESS');
      return { kind: 'replay', response: { statusCode: existing.statusCode, contentType: existing.contentType, body: existing.body } };
    },

    complete: (ctx: AuthContext, claimId: string, response: StoredResponse) =>
      repos.idempotency.complete(ctx.orgId, claimId, response),

    /** A request that failed on our side may be retried with the same key. */
    release: (ctx: AuthContext, claimId: string) => repos.idempotency.release(ctx.orgId, claimId),

    /** Deletes up to `limit` records past their TTL; answers how many went. */
    async purgeExpired(limit: number): Promise<number> {
      const { count } = await repos.idempotency.purgeCreatedBefore(new Date(Date.now() - idempotencyKeyTtlMs), limit);
      return count;
    },
  };
}
