import { endpoints } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { route } from '../../routing.ts';

export const quotasRoutes: FastifyPluginAsync<{ services: Pick<Services, 'quotas'> }> = async (app, { services }) => {
  route(app, endpoints.getQuotas, (_input, req) => services.quotas.overview(req.ctx));
  route(app, endpoints.getClusterQuotas, ({ params }, req) => services.quotas.get(req.ctx, params.id));
  route(app, endpoints.updateClusterQuotas, ({ params, body }, req) => services.quotas.update(req.ctx, params.id, body));
};
