import { Api, ErrorCode, ZERO_UUID, type FetchRequest, type FetchResponsePartitionData, type FetchableTopicResponse } from '@fjord/kafka-protocol';
import type { PartitionLog } from '@fjord/log';
import type { BrokerContext } from '../broker-context.ts';
import { defineHandler, type RequestContext } from './handler.ts';
import { logErrorCode } from './log-errors.ts';
import { namedTopic } from './topic-ids.ts';

/** v13 replaced topic names with topic ids (KIP-516). */
const TOPIC_IDS_FROM = 13;
/** KIP-227: epoch 0 opens a session, -1 fetches without one; both are full fetches. */
const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;

/** A requested topic, resolved: `name` is null for a topic id the broker does not know. */
interface WantedTopic {
  name: string | null;
  topicId: string;
  partitions: FetchRequest['topics'][number]['partitions'];
}

interface FetchRound {
  responses: FetchableTopicResponse[];
  bytes: number;
  /** A partition answered with an error: the fetch completes at once, as Kafka's delayed fetch does. */
  hasError: boolean;
  /** Each log read, with the high watermark it saw, to wait on for new data. */
  watched: { log: PartitionLog; highWatermark: bigint }[];
}

function partitionData(partitionIndex: number, errorCode: number, highWatermark: bigint, logStartOffset: bigint, records: Buffer): FetchResponsePartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark,
    // No transactions: everything below the high watermark is stable.
    lastStableOffset: highWatermark,
    logStartOffset,
    abortedTransactions: [],
    preferredReadReplica: -1,
    records,
  };
}

const EMPTY = Buffer.alloc(0);

function wantedTopics(request: FetchRequest, version: number, broker: BrokerContext): WantedTopic[] {
  const byId = version >= TOPIC_IDS_FROM;
  return request.topics.map((entry) => {
    const topic = namedTopic(broker, { name: entry.topic, topicId: entry.topicId }, byId);
    if (byId) return { name: topic?.name ?? null, topicId: entry.topicId ?? ZERO_UUID, partitions: entry.partitions };
    return { name: entry.topic ?? '', topicId: topic?.topicId ?? ZERO_UUID, partitions: entry.partitions };
  });
}

async function readRound(wanted: WantedTopic[], maxBytes: number, { broker, logger, allocate }: RequestContext): Promise<FetchRound> {
  let budget = maxBytes;
  const round: FetchRound = { responses: [], bytes: 0, hasError: false, watched: [] };
  for (const { name: topic, topicId, partitions } of wanted) {
    const out: FetchResponsePartitionData[] = [];
    for (const { partition, fetchOffset, partitionMaxBytes } of partitions) {
      const log = topic === null ? undefined : broker.topics.partition(topic, partition);
      if (!log) {
        round.hasError = true;
        out.push(partitionData(partition, topic === null ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n, -1n, EMPTY));
        continue;
      }
      // Once the response's budget is spent, the remaining partitions answer empty (KIP-74).
      const maxBytes = Math.min(partitionMaxBytes, budget);
      if (maxBytes <= 0) {
        round.watched.push({ log, highWatermark: log.highWatermark });
        out.push(partitionData(partition, ErrorCode.NONE, log.highWatermark, log.logStartOffset, EMPTY));
        continue;
      }
      try {
        const read = await log.read(fetchOffset, maxBytes, allocate);
        budget -= read.records.length;
        round.bytes += read.records.length;
        round.watched.push({ log, highWatermark: read.highWatermark });
        out.push(partitionData(partition, ErrorCode.NONE, read.highWatermark, read.logStartOffset, read.records));
      } catch (err) {
        round.hasError = true;
        const { errorCode } = logErrorCode(err, logger, { topic, partition });
        out.push(partitionData(partition, errorCode, log.highWatermark, log.logStartOffset, EMPTY));
      }
    }
    round.responses.push({ topic: topic ?? '', topicId, partitions: out });
  }
  return round;
}

/**
 * Reads each partition from its fetch offset. When fewer than minBytes are there, the request
 * long-polls: it sleeps until one of its partitions grows (or maxWaitMs passes, or the
 * connection closes) and reads again, so an idle consumer costs nothing.
 *
 * Fetch sessions (KIP-227) in their minimal form: every fetch is a full one and is answered with
 * session id 0, which tells the client that no session was opened, so it keeps sending full
 * fetches. An incremental fetch (epoch above 0) names a session the broker never gave out and is
 * answered FETCH_SESSION_ID_NOT_FOUND, on which clients fall back to a full fetch.
 */
export const fetchHandler = defineHandler(Api.Fetch, async (request, version, ctx) => {
  const { broker, signal, session, throttle } = ctx;
  const epoch = request.sessionEpoch ?? FINAL_EPOCH;
  if (epoch !== INITIAL_EPOCH && epoch !== FINAL_EPOCH) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
  }
  const wanted = wantedTopics(request, version, broker);
  const deadline = Date.now() + request.maxWaitMs;
  const egress = broker.quotas.egress;
  // As Kafka does, no response carries more than a quota window's worth of bytes.
  const maxBytes = Math.min(request.maxBytes, egress.windowBytes(session.principal, Date.now()));
  let round = await readRound(wanted, maxBytes, ctx);
  while (round.bytes < request.minBytes && !round.hasError && round.watched.length > 0 && !signal.aborted) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const wait = new AbortController();
    const stop = () => wait.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await Promise.race(round.watched.map(({ log, highWatermark }) => log.waitForData(highWatermark, remaining, wait.signal)));
    } finally {
      wait.abort();
      signal.removeEventListener('abort', stop);
    }
    round = await readRound(wanted, maxBytes, ctx);
  }
  const now = Date.now();
  const throttleTimeMs = egress.record(session.principal, round.bytes, now);
  if (throttleTimeMs > 0) {
    // Over the quota: as Kafka's handleFetchRequest, the bytes are not sent (nor counted) and the
    // client gets an empty answer with the time to stay away; it fetches the same offsets again after.
    egress.unrecord(session.principal, round.bytes, now);
    throttle(throttleTimeMs);
    return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId: 0, responses: [] };
  }
  // Metered: the record bytes of the answer actually sent (earlier rounds of a long poll were not).
  for (const { topic = '', partitions } of round.responses) broker.usage?.egress(topic, session.principal, partitions.reduce((sum, p) => sum + (p.records?.length ?? 0), 0));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: round.responses };
});
