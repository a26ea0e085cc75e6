import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

const GROUP_KEY = 0;

/** This broker coordinates every consumer group; there is no transaction coordinator. */
export const findCoordinatorHandler = defineHandler(Api.FindCoordinator, (request, version, { broker }) => {
  const { host, port } = broker.advertised();
  const nodeId = broker.config.nodeId;
  const keyType = request.keyType ?? GROUP_KEY;
  const errorCode = keyType === GROUP_KEY ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const errorMessage = errorCode === ErrorCode.NONE ? null : 'transactions are not supported';
  if (version >= 4) {
    return {
      throttleTimeMs: 0,
      coordinators: (request.coordinatorKeys ?? []).map((key) => ({ key, nodeId, host, port, errorCode, errorMessage })),
    };
  }
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port };
});
