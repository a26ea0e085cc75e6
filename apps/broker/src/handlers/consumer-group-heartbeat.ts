import { Api } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

/** KIP-848: join, heartbeat, reconcile and leave in one API; the coordinator computes assignments. */
export const consumerGroupHeartbeatHandler = defineHandler(Api.ConsumerGroupHeartbeat, (request, version, { broker, session }) => ({
  throttleTimeMs: 0,
  ...broker.consumerGroups.heartbeat(
    {
      ...request,
      subscribedTopicRegex: request.subscribedTopicRegex ?? null,
      clientId: session.clientId ?? '',
      clientHost: session.remoteHost,
    },
    version,
  ),
}));
