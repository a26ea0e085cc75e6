import { endpoints } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { route } from '../../routing.ts';

export const apiKeysRoutes: FastifyPluginAsync<{ services: Pick<Services, 'apiKeys'> }> = async (app, { services }) => {
  route(app, endpoints.listApiKeys, ({ query }, req) => services.apiKeys.list(req.ctx, query));
  route(app, endpoints.createApiKey, ({ body }, req) => services.apiKeys.create(req.ctx, body), {
    limits: ['api-key-creation'],
  });
  route(app, endpoints.getApiKey, ({ params }, req) => services.apiKeys.get(req.ctx, params.id));
  route(app, endpoints.deleteApiKey, ({ params }, req) => services.apiKeys.delete(req.ctx, params.id));
};
