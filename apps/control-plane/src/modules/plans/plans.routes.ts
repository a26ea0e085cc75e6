import { endpoints, plans } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import { route } from '../../routing.ts';

/** The plan table is public, like a pricing page. */
export const plansRoutes: FastifyPluginAsync = async (app) => {
  route(app, endpoints.listPlans, () => ({ items: Object.values(plans) }));
};
