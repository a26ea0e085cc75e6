import { endpoints } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { route } from '../../routing.ts';

export const auditRoutes: FastifyPluginAsync<{ services: Pick<Services, 'audit'> }> = async (app, { services }) => {
  route(app, endpoints.listAuditEvents, ({ query }, req) => services.audit.list(req.ctx, query));
};
