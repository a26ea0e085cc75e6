import {
  Api,
  BATCH_HEADER_SIZE,
  BATCH_LOG_OVERHEAD,
  BatchOffset,
  CONTROL_FLAG,
  ErrorCode,
  TRANSACTIONAL_FLAG,
  type ProduceResponsePartitionProduceResponse,
} from '@fjord/kafka-protocol';
import type { PartitionLog } from '@fjord/log';
import type { Logger } from 'pino';
import type { BrokerContext } from '../broker-context.ts';
import { recoverSequences } from '../producers/sequence-recovery.ts';
import { defineHandler } from './handler.ts';
import { logErrorCode } from './log-errors.ts';
import { namedTopic } from './topic-ids.ts';

const VALID_ACKS = new Set([0, 1, -1]);
/** v13 replaced topic names with topic ids (KIP-516). */
const TOPIC_IDS_FROM = 13;
/**
 * Kafka 4.0 removed v0-v2 (KIP-896) but still advertises them, because librdkafka's feature checks
 * look for v0 in the ApiVersions answer (KAFKA-18659); no client sends them, and they are refused.
 */
const OLDEST_SERVED = 3;

function failed(index: number, errorCode: number, errorMessage: string | null = null): ProduceResponsePartitionProduceResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage };
}

function appended(index: number, baseOffset: bigint, logStartOffset: bigint): ProduceResponsePartitionProduceResponse {
  return { index, errorCode: ErrorCode.NONE, baseOffset, logAppendTimeMs: -1n, logStartOffset, recordErrors: [], errorMessage: null };
}

async function append(
  log: PartitionLog,
  index: number,
  records: Buffer,
  logger: Logger,
  context: object,
): Promise<ProduceResponsePartitionProduceResponse> {
  try {
    const result = await log.append(records);
    return appended(index, result.baseOffset, result.logStartOffset);
  } catch (err) {
    const { errorCode, errorMessage } = logErrorCode(err, logger, context);
    return failed(index, errorCode, errorMessage);
  }
}

/**
 * A batch from an idempotent producer (producerId >= 0) passes the partition's sequence check
 * first: a retry is answered with the offset it already got, a gap or a stale epoch is refused.
 */
async function appendIdempotent(
  broker: BrokerContext,
  log: PartitionLog,
  index: number,
  records: Buffer,
  logger: Logger,
  context: object,
): Promise<ProduceResponsePartitionProduceResponse> {
  const attributes = records.readInt16BE(BatchOffset.Attributes);
  if (attributes & (TRANSACTIONAL_FLAG | CONTROL_FLAG)) return failed(index, ErrorCode.INVALID_RECORD, 'transactions are not supported');
  if (BATCH_LOG_OVERHEAD + records.readInt32BE(BatchOffset.BatchLength) !== records.length) {
    return failed(index, ErrorCode.INVALID_RECORD, 'an idempotent produce request carries exactly one batch per partition');
  }
  let recovered = broker.sequences.get(log);
  if (!recovered) broker.sequences.set(log, (recovered = recoverSequences(log)));
  // Awaiting one shared promise resumes requests in arrival order, so pipelined batches are still checked in order.
  const tracker = await recovered;
  const decision = tracker.check({
    producerId: records.readBigInt64BE(BatchOffset.ProducerId),
    producerEpoch: records.readInt16BE(BatchOffset.ProducerEpoch),
    baseSequence: records.readInt32BE(BatchOffset.BaseSequence),
    lastOffsetDelta: records.readInt32BE(BatchOffset.LastOffsetDelta),
  });
  if (decision.kind === 'reject') return failed(index, decision.errorCode);
  if (decision.kind === 'duplicate') {
    const baseOffset = await decision.baseOffset;
    // The first attempt failed: let the producer retry once more, which then appends.
    if (baseOffset === undefined) return failed(index, ErrorCode.KAFKA_STORAGE_ERROR, 'the first attempt of this batch failed');
    return appended(index, baseOffset, log.logStartOffset);
  }
  const response = await append(log, index, records, logger, context);
  decision.settle(response.errorCode === ErrorCode.NONE ? response.baseOffset : undefined);
  return response;
}

/**
 * Appends each partition's batches to its log. All appends of the request start at once, in
 * request order, so they share the log's group commit; acks=1 and acks=-1 both answer once the
 * append is durable (a single replica is the whole ISR). acks=0 gets no response at all.
 */
export const produceHandler = defineHandler(Api.Produce, async (request, version, { broker, logger, session, throttle }) => {
  const { acks } = request;
  const { policy, storage } = broker;
  // Judged once per request: the storage count moves by what this request appends, at most.
  const storageProblem = policy.storageProblem(storage.bytes);
  // Counted as the request starts, before anything is awaited: a client over its quota is muted
  // before the broker takes its next pipelined request, as Kafka, which reads one at a time, does.
  let bytes = 0;
  for (const { partitionData } of request.topicData) for (const { records } of partitionData) bytes += records?.length ?? 0;
  const throttleTimeMs = broker.quotas.ingress.record(session.principal, bytes, Date.now());
  throttle(throttleTimeMs);
  const byId = version >= TOPIC_IDS_FROM;
  const responses = request.topicData.map(({ name: requestedName, topicId, partitionData }) => {
    const topic = namedTopic(broker, { name: requestedName, topicId }, byId);
    const name = topic?.name ?? requestedName ?? '';
    return {
      name,
      topicId,
      partitionResponses: partitionData.map(async ({ index, records }): Promise<ProduceResponsePartitionProduceResponse> => {
        if (version < OLDEST_SERVED) return failed(index, ErrorCode.UNSUPPORTED_VERSION, `Produce v${version} was removed in Kafka 4.0`);
        if (!VALID_ACKS.has(acks)) return failed(index, ErrorCode.INVALID_REQUIRED_ACKS);
        if (request.transactionalId !== null) {
          return failed(index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not supported');
        }
        const log = topic?.partitions[index];
        if (!log) return failed(index, byId && !topic ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (records === null || records.length === 0) return failed(index, ErrorCode.CORRUPT_MESSAGE, 'no record batch');
        if (storageProblem) return failed(index, ErrorCode.POLICY_VIOLATION, storageProblem);
        const tooLarge = policy.batchTooLarge(records);
        if (tooLarge) return failed(index, ErrorCode.MESSAGE_TOO_LARGE, tooLarge);
        const context = { topic: name, partition: index };
        const response =
          records.length >= BATCH_HEADER_SIZE && records.readBigInt64BE(BatchOffset.ProducerId) >= 0n
            ? await appendIdempotent(broker, log, index, records, logger, context)
            : await append(log, index, records, logger, context);
        if (response.errorCode === ErrorCode.NONE) storage.appended(records.length);
        // Metered: the record-batch bytes of every batch the broker took.
        if (response.errorCode === ErrorCode.NONE) broker.usage?.ingress(name, session.principal, records.length);
        return response;
      }),
    };
  });
  const settled = await Promise.all(
    responses.map(async ({ name, topicId, partitionResponses }) => ({ name, topicId, partitionResponses: await Promise.all(partitionResponses) })),
  );
  if (acks === 0) return null;
  return { responses: settled, throttleTimeMs };
});
