import { endpoints, plans, type Plan } from '@fjord/api';
import { priceBook } from '@fjord/metering';
import type { FastifyPluginAsync } from 'fastify';
import { route } from '../../routing.ts';

/** Every plan with the prices metering bills it at. */
const pricedPlans: Plan[] = Object.values(plans).map((plan) => ({ ...plan, prices: { ...priceBook[plan.name] } }));

/** The plan table is public, like a pricing page. */
export const plansRoutes: FastifyPluginAsync = async (app) => {
  route(app, endpoints.listPlans, () => ({ items: pricedPlans }));
};
