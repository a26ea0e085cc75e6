import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../composition.ts';
import { ApiProblem } from '../errors.ts';

const Params = z.object({ id: z.uuid() }).strict();

/**
 * The broker-facing API, authenticated by each cluster's broker token rather than a user. Hidden from
 * the public OpenAPI document: only Fjord's own brokers call it.
 */
export const internalRoutes: FastifyPluginAsync<{ services: Pick<Services, 'clusterConfig'> }> = async (app, { services }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/internal/clusters/:id/config',
    { schema: { hide: true, params: Params }, config: { auth: 'public' } },
    async (req) => {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!match) throw new ApiProblem('FJ_UNAUTHORIZED', 'send the broker token as `Authorization: Bearer <token>`');
      return services.clusterConfig.forBroker(req.params.id, match[1]);
    },
  );
};
