import { ErrorCode } from '@fjord/kafka-protocol';
import { describe, expect, it } from 'vitest';
import { SequenceTracker, type SequenceDecision } from '../src/producers/sequence-tracker.ts';

const batch = (producerEpoch: number, baseSequence: number, records = 1) => ({
  producerId: 7n,
  producerEpoch,
  baseSequence,
  lastOffsetDelta: records - 1,
});

function appendAt(decision: SequenceDecision, baseOffset: bigint): void {
  if (decision.kind !== 'append') throw new Error(`expected append, got ${decision.kind}`);
  decision.settle(baseOffset);
}

describe('SequenceTracker', () => {
  it('accepts consecutive sequences and answers retries with their first offset', async () => {
    const tracker = new SequenceTracker();
    appendAt(tracker.check(batch(0, 0, 3)), 100n);
    appendAt(tracker.check(batch(0, 3, 2)), 103n);
    const retry = tracker.check(batch(0, 0, 3));
    expect(retry.kind).toBe('duplicate');
    expect(await (retry as { baseOffset: Promise<bigint> }).baseOffset).toBe(100n);
    appendAt(tracker.check(batch(0, 5)), 105n);
  });

  it('refuses gaps and stale epochs, and restarts sequences on a new epoch', () => {
    const tracker = new SequenceTracker();
    appendAt(tracker.check(batch(1, 0)), 0n);
    expect(tracker.check(batch(1, 5))).toEqual({ kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(tracker.check(batch(0, 1))).toEqual({ kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(tracker.check(batch(2, 3))).toEqual({ kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    appendAt(tracker.check(batch(2, 0)), 1n);
    appendAt(tracker.check(batch(2, 1)), 2n);
  });

  it('forgets a producer whose append failed, so the retry goes through', () => {
    const tracker = new SequenceTracker();
    const first = tracker.check(batch(0, 0));
    if (first.kind !== 'append') throw new Error('expected append');
    first.settle(undefined);
    expect(tracker.check(batch(0, 0)).kind).toBe('append');
  });
});
