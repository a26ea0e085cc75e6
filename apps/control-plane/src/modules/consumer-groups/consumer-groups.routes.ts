import { endpoints } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { route } from '../../routing.ts';

export const consumerGroupsRoutes: FastifyPluginAsync<{ services: Pick<Services, 'consumerGroups'> }> = async (app, { services }) => {
  route(app, endpoints.listConsumerGroups, ({ params, query }, req) => services.consumerGroups.list(req.ctx, params.id, query));
  route(app, endpoints.getConsumerGroup, ({ params }, req) => services.consumerGroups.get(req.ctx, params.id, params.groupId));
  route(app, endpoints.deleteConsumerGroup, ({ params }, req) => services.consumerGroups.delete(req.ctx, params.id, params.groupId));
};
