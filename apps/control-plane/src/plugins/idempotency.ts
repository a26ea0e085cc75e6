import { redactedSecret } from '@fjord/api';
import fp from 'fastify-plugin';
import type { Services } from '../composition.ts';
import { ApiProblem } from '../errors.ts';
import { requestFingerprint } from '../modules/idempotency/idempotency.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim: string | null;
  }
  interface FastifyContextConfig {
    /** Top-level fields of the success body that hold a shown-once secret. */
    shownOnce?: string[];
  }
}

export interface IdempotencyOptions {
  services: Pick<Services, 'idempotency'>;
}

const header = 'idempotency-key';
const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The body as it may be stored: shown-once secrets replaced by the documented marker. */
function storable(body: string, shownOnce: string[] | undefined): string {
  if (!shownOnce?.length || body === '') return body;
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null) return body;
  const redacted: Record<string, unknown> = { ...parsed };
  for (const field of shownOnce) if (field in redacted) redacted[field] = redactedSecret;
  return JSON.stringify(redacted);
}

/**
 * `Idempotency-Key` on authenticated mutations: the first answer is stored under (organization, actor,
 * key) and replayed on a retry with the same request; the same key with another request is refused.
 * Runs after validation, so an invalid request never claims a key. A shown-once secret is never stored:
 * a replay answers the marker in its place.
 */
export const idempotency = fp<IdempotencyOptions>(
  async (app, { services }) => {
    app.decorateRequest('idempotencyClaim', null);

    app.addHook('preHandler', async (req, reply) => {
      const key = req.headers[header];
      if (key === undefined || !mutating.has(req.method) || req.routeOptions.config?.auth !== 'required') return;
      if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
        throw new ApiProblem('FJ_VALIDATION', 'Idempotency-Key must be 1 to 255 characters', [
          { field: 'Idempotency-Key', message: 'Must be 1 to 255 characters' },
        ]);
      }
      const outcome = await services.idempotency.begin(req.ctx, key, requestFingerprint(req.method, req.url, req.body));
      if (outcome.kind === 'run') {
        req.idempotencyClaim = outcome.claimId;
        return;
      }
      const { statusCode, contentType, body } = outcome.response;
      reply.code(statusCode).header('idempotent-replayed', 'true');
      if (contentType) reply.header('content-type', contentType);
      // The stored body is already serialized: send it as is, past the route's serializer.
      return reply.serializer((payload: unknown) => payload as string).send(body);
    });

    app.addHook('onSend', async (req, reply, payload) => {
      const claim = req.idempotencyClaim;
      if (!claim) return payload;
      req.idempotencyClaim = null;
      if (reply.statusCode >= 500) {
        await services.idempotency.release(req.ctx, claim);
      } else {
        const contentType = reply.getHeader('content-type');
        const body = typeof payload === 'string' ? payload : '';
        await services.idempotency.complete(req.ctx, claim, {
          statusCode: reply.statusCode,
          contentType: typeof contentType === 'string' ? contentType : null,
          body: reply.statusCode < 300 ? storable(body, req.routeOptions.config?.shownOnce) : body,
        });
      }
      return payload;
    });
  },
  { name: 'fjord-idempotency', dependencies: ['fjord-auth-context'] },
);
