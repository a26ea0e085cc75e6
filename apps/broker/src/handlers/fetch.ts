import { Api, ErrorCode, ZERO_UUID, type FetchRequest, type FetchResponse, type FetchResponsePartitionData, type FetchableTopicResponse } from '@fjord/kafka-protocol';
import type { PartitionLog } from '@fjord/log';
import type { BrokerContext } from '../broker-context.ts';
import type { FetchSession } from '../fetch-sessions/fetch-session.ts';
import { defineHandler, type RequestContext } from './handler.ts';
import { logErrorCode } from './log-errors.ts';
import { namedTopic } from './topic-ids.ts';

/** v13 replaced topic names with topic ids (KIP-516). */
const TOPIC_IDS_FROM = 13;
/** KIP-227: epoch 0 opens a session, -1 fetches without one (closing the one named); both are full fetches. */
const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;
const NO_SESSION = 0;

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

function wantedTopics(topics: FetchRequest['topics'], version: number, broker: BrokerContext): WantedTopic[] {
  const byId = version >= TOPIC_IDS_FROM;
  return topics.map((entry) => {
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
      // A consumer at the log end (most partitions of a many-partition consumer) needs no read.
      if (maxBytes <= 0 || fetchOffset === log.highWatermark) {
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

/** How a request stands to fetch sessions: a full fetch (opening a session or not), an incremental one, or refused. */
type SessionPlan = { kind: 'full'; open: boolean } | { kind: 'incremental'; session: FetchSession } | { kind: 'refused'; errorCode: number };

function planSession(request: FetchRequest, version: number, { broker, session }: RequestContext): SessionPlan {
  const principal = session.principal ?? '';
  const id = request.sessionId ?? NO_SESSION;
  const epoch = request.sessionEpoch ?? FINAL_EPOCH;
  if (epoch === INITIAL_EPOCH || epoch === FINAL_EPOCH) {
    if (id !== NO_SESSION) broker.fetchSessions.close(id, principal);
    return { kind: 'full', open: epoch === INITIAL_EPOCH };
  }
  const known = broker.fetchSessions.get(id, principal);
  if (!known) return { kind: 'refused', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
  if (known.epoch !== epoch) return { kind: 'refused', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
  if (known.usesTopicIds !== version >= TOPIC_IDS_FROM) return { kind: 'refused', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR };
  known.update(request.topics, request.forgottenTopicsData ?? []);
  return { kind: 'incremental', session: known };
}

/**
 * Reads each partition from its fetch offset. When fewer than minBytes are there, the request
 * long-polls: it sleeps until one of its partitions grows (or maxWaitMs passes, or the
 * connection closes) and reads again, so an idle consumer costs nothing.
 *
 * Fetch sessions (KIP-227): a full fetch with epoch 0 opens a session when a slot is free; the
 * client then sends only what changed (new offsets, added and forgotten partitions) with the
 * session's next epoch, and the answer holds only the partitions with news. A session id the
 * principal does not hold answers FETCH_SESSION_ID_NOT_FOUND, a wrong epoch
 * INVALID_FETCH_SESSION_EPOCH; on either the client starts over with a full fetch.
 */
export const fetchHandler = defineHandler(Api.Fetch, async (request, version, ctx): Promise<FetchResponse> => {
  const { broker, signal, session, throttle } = ctx;
  const plan = planSession(request, version, ctx);
  if (plan.kind === 'refused') return { throttleTimeMs: 0, errorCode: plan.errorCode, sessionId: NO_SESSION, responses: [] };
  const requested = plan.kind === 'incremental' ? plan.session.topics() : request.topics;
  const wanted = wantedTopics(requested, version, broker);
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
    // A full fetch opens no session then; an incremental one keeps its session's last news unsent.
    egress.unrecord(session.principal, round.bytes, now);
    throttle(throttleTimeMs);
    return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId: plan.kind === 'incremental' ? plan.session.id : NO_SESSION, responses: [] };
  }
  // Metered: the record bytes of the answer actually sent (earlier rounds of a long poll were not).
  for (const { topic = '', partitions } of round.responses) broker.usage?.egress(topic, session.principal, partitions.reduce((sum, p) => sum + (p.records?.length ?? 0), 0));
  if (plan.kind === 'incremental') {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: plan.session.id, responses: plan.session.respond(requested, round.responses, true) };
  }
  const opened = plan.open ? broker.fetchSessions.open(session.principal ?? '', version >= TOPIC_IDS_FROM, request.topics) : undefined;
  opened?.respond(requested, round.responses, false);
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: opened?.id ?? NO_SESSION, responses: round.responses };
});
