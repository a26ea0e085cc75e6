import { endpoints } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { route } from '../../routing.ts';

export const topicsRoutes: FastifyPluginAsync<{ services: Pick<Services, 'topics'> }> = async (app, { services }) => {
  route(app, endpoints.listTopics, ({ params, query }, req) => services.topics.list(req.ctx, params.id, query));
  route(app, endpoints.createTopic, ({ params, body }, req) => services.topics.create(req.ctx, params.id, body));
  route(app, endpoints.getTopic, ({ params }, req) => services.topics.get(req.ctx, params.id, params.name));
  route(app, endpoints.updateTopic, ({ params, body }, req) => services.topics.update(req.ctx, params.id, params.name, body));
  route(app, endpoints.listTopicMessages, ({ params, query }, req) => services.topics.messages(req.ctx, params.id, params.name, query));
  route(app, endpoints.deleteTopic, ({ params }, req) => services.topics.delete(req.ctx, params.id, params.name));
  // Connections to the clusters' brokers live as long as the app.
  app.addHook('onClose', async () => services.topics.close());
};
