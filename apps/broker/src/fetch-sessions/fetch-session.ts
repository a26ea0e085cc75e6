import type { FetchRequest, FetchableTopicResponse } from '@fjord/kafka-protocol';

type RequestTopic = FetchRequest['topics'][number];
type ForgottenTopic = NonNullable<FetchRequest['forgottenTopicsData']>[number];

/** What the client last said of a partition, and what it was last told. */
interface SessionPartition {
  topic: string | undefined;
  topicId: string | undefined;
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  /** NEVER_SENT until the partition is first in a response: then it must be. */
  highWatermark: bigint;
  logStartOffset: bigint;
}

const NEVER_SENT = -2n;
/** Epochs run 1..INT32_MAX and wrap to 1 (0 opens a session, -1 closes one). */
const nextEpoch = (epoch: number) => (epoch >= 0x7fffffff ? 1 : epoch + 1);

/**
 * An incremental fetch session (KIP-227): the partitions a client fetches, so it need only send
 * what changed (new offsets, added and forgotten partitions) and is answered only with the
 * partitions that have something new (records, a moved high watermark or log start, an error).
 * Topics are keyed by id when the session was opened by Fetch v13+, by name before.
 */
export class FetchSession {
  readonly id: number;
  readonly principal: string;
  readonly usesTopicIds: boolean;
  /** The epoch the client's next incremental fetch must carry: 1 once opened. */
  epoch = 0;
  lastUsedMs: number;
  /** Insertion order is fetch order; a partition that returned records goes to the back, so each gets its turn at the budget. */
  readonly #partitions = new Map<string, SessionPartition>();

  constructor(id: number, principal: string, usesTopicIds: boolean, nowMs: number) {
    this.id = id;
    this.principal = principal;
    this.usesTopicIds = usesTopicIds;
    this.lastUsedMs = nowMs;
  }

  get size(): number {
    return this.#partitions.size;
  }

  #key(topic: { topic?: string; topicId?: string }, partition: number): string {
    return `${this.usesTopicIds ? topic.topicId : topic.topic}\u0000${partition}`;
  }

  /** Applies an incremental request's changes and moves the epoch on (the client does the same on the answer). */
  update(topics: RequestTopic[], forgotten: ForgottenTopic[]): void {
    for (const t of forgotten) for (const partition of t.partitions) this.#partitions.delete(this.#key(t, partition));
    for (const t of topics) {
      for (const p of t.partitions) {
        const key = this.#key(t, p.partition);
        const known = this.#partitions.get(key);
        if (known) {
          known.fetchOffset = p.fetchOffset;
          known.partitionMaxBytes = p.partitionMaxBytes;
        } else {
          this.#partitions.set(key, { topic: t.topic, topicId: t.topicId, partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes, highWatermark: NEVER_SENT, logStartOffset: NEVER_SENT });
        }
      }
    }
    this.epoch = nextEpoch(this.epoch);
  }

  /** The session's partitions as the topics of a full request, consecutive partitions of a topic grouped. */
  topics(): RequestTopic[] {
    const topics: RequestTopic[] = [];
    let last: RequestTopic | undefined;
    let lastKey: string | undefined;
    for (const p of this.#partitions.values()) {
      const key = this.usesTopicIds ? p.topicId : p.topic;
      if (!last || key !== lastKey) {
        last = { topic: p.topic, topicId: p.topicId, partitions: [] };
        lastKey = key;
        topics.push(last);
      }
      last.partitions.push({ partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes });
    }
    return topics;
  }

  /**
   * The answer to the request whose topics came from `requested` (topics() or a full request's):
   * with `incremental`, only the partitions with news; every partition's news is remembered.
   */
  respond(requested: RequestTopic[], responses: FetchableTopicResponse[], incremental: boolean): FetchableTopicResponse[] {
    const answer: FetchableTopicResponse[] = [];
    const toBack: string[] = [];
    requested.forEach((t, i) => {
      const response = responses[i];
      const partitions = response.partitions.filter((data) => {
        const key = this.#key(t, data.partitionIndex);
        const cached = this.#partitions.get(key);
        if (!cached) return !incremental;
        const records = data.records?.length ?? 0;
        const logStartOffset = data.logStartOffset ?? -1n;
        const news = data.errorCode !== 0 || records > 0 || data.highWatermark !== cached.highWatermark || logStartOffset !== cached.logStartOffset;
        cached.highWatermark = data.highWatermark;
        cached.logStartOffset = logStartOffset;
        if (records > 0) toBack.push(key);
        return news || !incremental;
      });
      if (partitions.length > 0) answer.push({ ...response, partitions });
    });
    for (const key of toBack) {
      const p = this.#partitions.get(key)!;
      this.#partitions.delete(key);
      this.#partitions.set(key, p);
    }
    return answer;
  }

  /** Opened by a full fetch: its partitions, in its order. */
  static open(id: number, principal: string, usesTopicIds: boolean, topics: RequestTopic[], nowMs: number): FetchSession {
    const session = new FetchSession(id, principal, usesTopicIds, nowMs);
    session.update(topics, []);
    return session;
  }
}
