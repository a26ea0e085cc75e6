import { ErrorCode } from '@fjord/kafka-protocol';

/** The fields of a batch's header that idempotence looks at. */
export interface ProducerBatch {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
}

export type SequenceDecision =
  /** Append it, then report the outcome with settle(). */
  | { kind: 'append'; settle(baseOffset: bigint | undefined): void }
  /** A retry of a batch already appended (or being appended): answer with its offset, append nothing. */
  | { kind: 'duplicate'; baseOffset: Promise<bigint | undefined> }
  | { kind: 'reject'; errorCode: number };

interface Entry {
  firstSequence: number;
  lastSequence: number;
  baseOffset: Promise<bigint | undefined>;
}

interface ProducerState {
  epoch: number;
  nextSequence: number;
  /** The latest batches, oldest first: as many as an idempotent producer may have in flight. */
  recent: Entry[];
}

const IN_FLIGHT_LIMIT = 5;
const SEQUENCE_WRAP = 2 ** 31;

/**
 * Idempotent-producer sequence checks for one partition, as Kafka does them: batches from a producer
 * must carry consecutive sequence numbers within an epoch, and a retried batch is recognised and
 * answered with its first offset instead of being written twice. Decisions are taken when the
 * request arrives, in arrival order, so pipelined batches are checked against each other.
 * State lives in memory and is rebuilt from the tail of the log when a partition is first used.
 */
export class SequenceTracker {
  readonly #producers = new Map<bigint, ProducerState>();

  /** Replays batches already in the log (oldest first), so retries across a restart are still recognised. */
  static fromLog(batches: Iterable<ProducerBatch & { baseOffset: bigint }>): SequenceTracker {
    const tracker = new SequenceTracker();
    for (const batch of batches) {
      const decision = tracker.check(batch);
      if (decision.kind === 'append') decision.settle(batch.baseOffset);
    }
    return tracker;
  }

  check(batch: ProducerBatch): SequenceDecision {
    const first = batch.baseSequence;
    const last = (first + batch.lastOffsetDelta) % SEQUENCE_WRAP;
    const state = this.#producers.get(batch.producerId);
    if (state) {
      if (batch.producerEpoch < state.epoch) return { kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
      if (batch.producerEpoch === state.epoch) {
        const retried = state.recent.find((e) => e.firstSequence === first && e.lastSequence === last);
        if (retried) return { kind: 'duplicate', baseOffset: retried.baseOffset };
        if (first !== state.nextSequence) return { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
      } else if (first !== 0) {
        return { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
      }
    }
    const next: ProducerState =
      state && state.epoch === batch.producerEpoch ? state : { epoch: batch.producerEpoch, nextSequence: 0, recent: [] };
    let settle!: (baseOffset: bigint | undefined) => void;
    const entry: Entry = { firstSequence: first, lastSequence: last, baseOffset: new Promise((resolve) => (settle = resolve)) };
    next.nextSequence = (last + 1) % SEQUENCE_WRAP;
    next.recent.push(entry);
    if (next.recent.length > IN_FLIGHT_LIMIT) next.recent.shift();
    this.#producers.set(batch.producerId, next);
    return {
      kind: 'append',
      settle: (baseOffset) => {
        settle(baseOffset);
        // A failed append leaves the sequence unknown: forget the producer so its retry is accepted.
        if (baseOffset === undefined && this.#producers.get(batch.producerId) === next) this.#producers.delete(batch.producerId);
      },
    };
  }
}
