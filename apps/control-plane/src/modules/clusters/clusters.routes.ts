import { endpoints } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { clientGone, route } from '../../routing.ts';

export const clustersRoutes: FastifyPluginAsync<{ services: Pick<Services, 'clusters' | 'clusterEvents'> }> = async (app, { services }) => {
  route(app, endpoints.listClusters, ({ query }, req) => services.clusters.list(req.ctx, query));
  route(app, endpoints.createCluster, ({ body }, req) => services.clusters.create(req.ctx, body), {
    limits: ['cluster-creation'],
  });
  route(app, endpoints.getCluster, ({ params, query }, req, reply) =>
    services.clusters.get(req.ctx, params.id, query.waitFor && { status: query.waitFor, timeoutMs: query.timeoutMs, signal: clientGone(reply) }),
  );
  route(app, endpoints.updateCluster, ({ params, body }, req) => services.clusters.update(req.ctx, params.id, body));
  route(app, endpoints.deleteCluster, ({ params }, req) => services.clusters.delete(req.ctx, params.id));
  route(app, endpoints.getClusterCaCertificate, ({ params }, req) => services.clusters.caPem(req.ctx, params.id));
  route(app, endpoints.listClusterEvents, ({ params, query }, req) => services.clusterEvents.list(req.ctx, params.id, query));
};
