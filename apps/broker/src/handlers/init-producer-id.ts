import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

const MAX_EPOCH = 32_766;

/**
 * Producer ids for idempotent producers (the Java client's default). A producer that asks again
 * with its id and epoch (v3+) gets the next epoch, fencing its older self; transactional ids are refused.
 */
export const initProducerIdHandler = defineHandler(Api.InitProducerId, async (request, _version, { broker }) => {
  if (request.transactionalId !== null) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
  }
  const current = request.producerId ?? -1n;
  const epoch = request.producerEpoch ?? -1;
  if (current >= 0n && epoch >= 0 && epoch < MAX_EPOCH) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: current, producerEpoch: epoch + 1 };
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: await broker.producerIds.next(), producerEpoch: 0 };
});
