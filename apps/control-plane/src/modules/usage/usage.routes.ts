import { endpoints, type UsageList } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { toCsv } from '../../csv.ts';
import { route } from '../../routing.ts';

const usageCsv = ({ items }: UsageList) =>
  toCsv(
    ['cluster_id', 'dimension', 'start', 'end', 'topic', 'api_key_id', 'quantity', 'unit'],
    items.map((i) => [i.clusterId, i.dimension, i.start, i.end, i.topic ?? '', i.apiKeyId ?? '', i.quantity, i.unit]),
  );

export const usageRoutes: FastifyPluginAsync<{ services: Pick<Services, 'usage'> }> = async (app, { services }) => {
  route(app, endpoints.getUsage, ({ query }, req) => services.usage.get(req.ctx, query), {}, { csv: usageCsv });
};
