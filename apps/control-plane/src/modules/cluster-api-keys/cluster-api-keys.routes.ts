import { endpoints } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { route } from '../../routing.ts';

export const clusterApiKeysRoutes: FastifyPluginAsync<{ services: Pick<Services, 'clusterApiKeys'> }> = async (app, { services }) => {
  route(app, endpoints.listClusterApiKeys, ({ params, query }, req) => services.clusterApiKeys.list(req.ctx, params.id, query));
  route(app, endpoints.createClusterApiKey, ({ params, body }, req) => services.clusterApiKeys.create(req.ctx, params.id, body), {
    limits: ['api-key-creation'],
  });
  route(app, endpoints.getClusterApiKey, ({ params }, req) => services.clusterApiKeys.get(req.ctx, params.id, params.keyId));
  route(app, endpoints.updateClusterApiKey, ({ params, body }, req) => services.clusterApiKeys.update(req.ctx, params.id, params.keyId, body));
  route(app, endpoints.deleteClusterApiKey, ({ params }, req) => services.clusterApiKeys.delete(req.ctx, params.id, params.keyId));
};
