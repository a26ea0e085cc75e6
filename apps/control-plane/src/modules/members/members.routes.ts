import { endpoints } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { route } from '../../routing.ts';

export const membersRoutes: FastifyPluginAsync<{ services: Pick<Services, 'members'> }> = async (app, { services }) => {
  route(app, endpoints.listMembers, ({ query }, req) => services.members.list(req.ctx, query));
  route(app, endpoints.addMember, ({ body }, req) => services.members.add(req.ctx, body));
  route(app, endpoints.getMember, ({ params }, req) => services.members.get(req.ctx, params.id));
  route(app, endpoints.updateMember, ({ params, body }, req) => services.members.update(req.ctx, params.id, body));
  route(app, endpoints.removeMember, ({ params }, req) => services.members.remove(req.ctx, params.id));
};
