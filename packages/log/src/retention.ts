import type { SegmentInfo } from './segment.ts';

export interface RetentionLimits {
  retentionMs: number;
  retentionBytes: number;
}

/**
 * How many of the oldest segments retention removes. `closed` lists every segment but the active
 * one, oldest first. Like Kafka, only a prefix goes: a segment survives while an older one does.
 */
export function segmentsToDelete(
  closed: readonly Pick<SegmentInfo, 'size' | 'maxTimestamp'>[],
  totalBytes: number,
  limits: RetentionLimits,
  now: number,
): number {
  let byTime = 0;
  if (limits.retentionMs !== -1) {
    const cutoff = BigInt(now - limits.retentionMs);
    // A segment without any timestamp (-1) is never old enough: there is nothing to age it by.
    while (byTime < closed.length && closed[byTime].maxTimestamp >= 0n && closed[byTime].maxTimestamp < cutoff) {
      byTime++;
    }
  }
  let bySize = 0;
  if (limits.retentionBytes !== -1) {
    let excess = totalBytes - limits.retentionBytes;
    while (bySize < closed.length && excess >= closed[bySize].size) {
      excess -= closed[bySize].size;
      bySize++;
    }
  }
  return Math.max(byTime, bySize);
}

/** Kafka's local.retention.*: -2 means the same as the total retention. */
export function localRetentionLimits(config: RetentionLimits & { localRetentionMs: number; localRetentionBytes: number }): RetentionLimits {
  return {
    retentionMs: config.localRetentionMs === -2 ? config.retentionMs : config.localRetentionMs,
    retentionBytes: config.localRetentionBytes === -2 ? config.retentionBytes : config.localRetentionBytes,
  };
}

/**
 * How many of the oldest remote segments total retention removes. Only segments wholly below the
 * local log count as remote-only; the log's size is theirs plus the local bytes.
 */
export function remoteSegmentsToDelete(
  remote: readonly { endOffset: bigint; segmentSizeInBytes: number; maxTimestampMs: bigint }[],
  localStartOffset: bigint,
  localBytes: number,
  limits: RetentionLimits,
  now: number,
): number {
  const remoteOnly = remote
    .filter((segment) => segment.endOffset < localStartOffset)
    .map((segment) => ({ size: segment.segmentSizeInBytes, maxTimestamp: segment.maxTimestampMs }));
  const total = remoteOnly.reduce((sum, segment) => sum + segment.size, localBytes);
  return segmentsToDelete(remoteOnly, total, limits, now);
}
