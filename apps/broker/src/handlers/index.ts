import { supportedVersions, type Handler } from './handler.ts';
import { alterConfigsHandler } from './alter-configs.ts';
import { apiVersionsHandler } from './api-versions.ts';
import { consumerGroupDescribeHandler } from './consumer-group-describe.ts';
import { consumerGroupHeartbeatHandler } from './consumer-group-heartbeat.ts';
import { createPartitionsHandler } from './create-partitions.ts';
import { createTopicsHandler } from './create-topics.ts';
import { deleteGroupsHandler } from './delete-groups.ts';
import { deleteRecordsHandler } from './delete-records.ts';
import { deleteTopicsHandler } from './delete-topics.ts';
import { describeClusterHandler } from './describe-cluster.ts';
import { describeConfigsHandler } from './describe-configs.ts';
import { describeGroupsHandler } from './describe-groups.ts';
import { describeLogDirsHandler } from './describe-log-dirs.ts';
import { fetchHandler } from './fetch.ts';
import { findCoordinatorHandler } from './find-coordinator.ts';
import { heartbeatHandler } from './heartbeat.ts';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.ts';
import { initProducerIdHandler } from './init-producer-id.ts';
import { joinGroupHandler } from './join-group.ts';
import { leaveGroupHandler } from './leave-group.ts';
import { listGroupsHandler } from './list-groups.ts';
import { listOffsetsHandler } from './list-offsets.ts';
import { metadataHandler } from './metadata.ts';
import { offsetCommitHandler } from './offset-commit.ts';
import { offsetDeleteHandler } from './offset-delete.ts';
import { offsetFetchHandler } from './offset-fetch.ts';
import { produceHandler } from './produce.ts';
import { saslAuthenticateHandler } from './sasl-authenticate.ts';
import { saslHandshakeHandler } from './sasl-handshake.ts';
import { syncGroupHandler } from './sync-group.ts';

/** The APIs this broker answers, by API key. ApiVersions advertises exactly these, at the codec's versions. */
export function createHandlers(): ReadonlyMap<number, Handler> {
  const handlers = new Map<number, Handler>();
  const register = (handler: Handler) => handlers.set(handler.api.key, handler);
  register(apiVersionsHandler(() => supportedVersions(handlers)));
  [
    metadataHandler,
    produceHandler,
    fetchHandler,
    listOffsetsHandler,
    createTopicsHandler,
    deleteTopicsHandler,
    createPartitionsHandler,
    describeConfigsHandler,
    describeLogDirsHandler,
    saslHandshakeHandler,
    saslAuthenticateHandler,
    findCoordinatorHandler,
    joinGroupHandler,
    syncGroupHandler,
    heartbeatHandler,
    leaveGroupHandler,
    offsetCommitHandler,
    offsetFetchHandler,
    listGroupsHandler,
    describeGroupsHandler,
    deleteGroupsHandler,
    incrementalAlterConfigsHandler,
    alterConfigsHandler,
    deleteRecordsHandler,
    initProducerIdHandler,
    offsetDeleteHandler,
    describeClusterHandler,
    consumerGroupHeartbeatHandler,
    consumerGroupDescribeHandler,
  ].forEach(register);
  return handlers;
}
