import { brokerStatusSchema, clusterConfigQuerySchema, internalPaths, usageReportAckSchema, usageReportSchema } from '@fjord/broker-contract';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../composition.ts';
import { ApiProblem } from '../errors.ts';

const Params = z.object({ id: z.uuid() }).strict();

function brokerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new ApiProblem('FJ_UNAUTHORIZED', 'send the broker token as `Authorization: Bearer <token>`');
  return match[1];
}

/**
 * The broker-facing API (shapes in @fjord/broker-contract), authenticated by each cluster's broker
 * token rather than a user. Hidden from the public OpenAPI document: only Fjord's own brokers call it.
 */
export const internalRoutes: FastifyPluginAsync<{ services: Pick<Services, 'clusterConfig' | 'brokerStatus' | 'usageIngest'> }> = async (app, { services }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/internal/clusters/:id/config',
    { schema: { hide: true, params: Params, querystring: clusterConfigQuerySchema }, config: { auth: 'public' } },
    async (req, reply) => {
      const token = brokerToken(req.headers.authorization);
      const { after, waitMs } = req.query;
      if (after === undefined) return services.clusterConfig.forBroker(req.params.id, token);
      // A broker that goes away stops its wait.
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      return services.clusterConfig.nextForBroker(req.params.id, token, after, waitMs, gone.signal);
    },
  );
  app.withTypeProvider<ZodTypeProvider>().post(
    '/internal/clusters/:id/status',
    { schema: { hide: true, params: Params, body: brokerStatusSchema }, config: { auth: 'public' } },
    async (req, reply) => {
      await services.clusterConfig.authenticate(req.params.id, brokerToken(req.headers.authorization));
      await services.brokerStatus.record(req.params.id, req.body);
      return reply.code(204).send();
    },
  );
  app.withTypeProvider<ZodTypeProvider>().post(
    internalPaths.usage,
    // A full report (10,000 samples) is a few MB, more than the public API's body limit.
    { schema: { hide: true, body: usageReportSchema, response: { 200: usageReportAckSchema } }, config: { auth: 'public' }, bodyLimit: 8 * 1024 * 1024 },
    async (req) => services.usageIngest.ingest(brokerToken(req.headers.authorization), req.body),
  );
};
