import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

const GROUP_KEY = 0;
/** What a coordinator of another key type (transaction 1, share group 2 from v6) is missing. */
const UNSUPPORTED_KEYS: Record<number, string> = { 1: 'transactions are not supported', 2: 'share groups are not supported' };

/** This broker coordinates every consumer group; there is no transaction or share-group coordinator. */
export const findCoordinatorHandler = defineHandler(Api.FindCoordinator, (request, version, { broker }) => {
  const { host, port } = broker.advertised();
  const nodeId = broker.config.nodeId;
  const keyType = request.keyType ?? GROUP_KEY;
  const unsupported = UNSUPPORTED_KEYS[keyType];
  const known = keyType === GROUP_KEY || unsupported !== undefined;
  const errorCode = !known ? ErrorCode.INVALID_REQUEST : keyType === GROUP_KEY ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const errorMessage = !known ? `unknown key type ${keyType}` : (unsupported ?? null);
  if (version >= 4) {
    return {
      throttleTimeMs: 0,
      coordinators: (request.coordinatorKeys ?? []).map((key) => ({ key, nodeId, host, port, errorCode, errorMessage })),
    };
  }
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port };
});
