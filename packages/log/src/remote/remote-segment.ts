import { LOG_SUFFIX, OFFSET_INDEX_SUFFIX, segmentFileName, TIME_INDEX_SUFFIX } from '../segment.ts';

/** Kafka's name for the producer-state snapshot beside a segment. */
export const SNAPSHOT_SUFFIX = '.snapshot';
const MANIFEST_SUFFIX = '.manifest.json';
const MANIFEST_KEY = /(\d{20})\.manifest\.json$/;

/** The objects of one remote segment, by role. */
export type RemoteObjectRole = 'log' | 'offsetIndex' | 'timeIndex' | 'producerSnapshot';

const ROLE_SUFFIX: Record<RemoteObjectRole, string> = {
  log: LOG_SUFFIX,
  offsetIndex: OFFSET_INDEX_SUFFIX,
  timeIndex: TIME_INDEX_SUFFIX,
  producerSnapshot: SNAPSHOT_SUFFIX,
};

/**
 * KIP-405's RemoteLogSegmentMetadata, as the manifest object written after a segment's data. A
 * segment exists remotely once its manifest does: a crash mid-upload leaves data objects without a
 * manifest, which the next upload of the same segment overwrites (keys are named by base offset,
 * so a segment uploaded twice is stored, and served, once).
 */
export interface RemoteLogSegmentMetadata {
  version: 1;
  startOffset: bigint;
  /** Last offset the segment covers (the next segment starts after it). */
  endOffset: bigint;
  /** -1 when the segment holds no timestamp. */
  maxTimestampMs: bigint;
  /** When the upload finished. */
  eventTimestampMs: number;
  segmentSizeInBytes: number;
  /** Size of each uploaded object; producerSnapshot only when the segment had one. */
  objects: Partial<Record<RemoteObjectRole, number>> & { log: number; offsetIndex: number; timeIndex: number };
  /** sha256 of the .log object, hex. */
  logSha256: string;
}

/** `<partitionPrefix><base>.<suffix>`; the prefix ends with `/`. */
export function remoteObjectKey(partitionPrefix: string, startOffset: bigint, role: RemoteObjectRole): string {
  return partitionPrefix + segmentFileName(startOffset, ROLE_SUFFIX[role]);
}

export function manifestKey(partitionPrefix: string, startOffset: bigint): string {
  return partitionPrefix + segmentFileName(startOffset, MANIFEST_SUFFIX);
}

/** The base offset a manifest key names, or null for any other key. */
export function manifestStartOffset(key: string): bigint | null {
  const match = MANIFEST_KEY.exec(key);
  return match ? BigInt(match[1]) : null;
}

/** The base offset any object of a segment is named by, or null for keys that are not segment objects. */
export function objectStartOffset(key: string): bigint | null {
  const match = /(\d{20})\.[a-z.]+$/.exec(key);
  return match ? BigInt(match[1]) : null;
}

export function encodeManifest(metadata: RemoteLogSegmentMetadata): Buffer {
  return Buffer.from(
    `${JSON.stringify(metadata, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`,
  );
}

/** The manifest in `bytes`, or null when it is not one this version wrote. */
export function decodeManifest(bytes: Buffer): RemoteLogSegmentMetadata | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const offset = (value: unknown) => (typeof value === 'string' && /^-?\d+$/.test(value) ? BigInt(value) : null);
  const size = (value: unknown) => (Number.isInteger(value) && (value as number) >= 0 ? (value as number) : null);
  const objects = raw.objects as Record<string, unknown> | undefined;
  const startOffset = offset(raw.startOffset);
  const endOffset = offset(raw.endOffset);
  const maxTimestampMs = offset(raw.maxTimestampMs);
  const segmentSizeInBytes = size(raw.segmentSizeInBytes);
  if (raw.version !== 1 || startOffset === null || endOffset === null || maxTimestampMs === null) return null;
  if (segmentSizeInBytes === null || typeof raw.logSha256 !== 'string' || typeof objects !== 'object' || !objects) return null;
  const sizes: RemoteLogSegmentMetadata['objects'] = { log: -1, offsetIndex: -1, timeIndex: -1 };
  for (const role of Object.keys(ROLE_SUFFIX) as RemoteObjectRole[]) {
    if (objects[role] === undefined) continue;
    const value = size(objects[role]);
    if (value === null) return null;
    sizes[role] = value;
  }
  if (sizes.log < 0 || sizes.offsetIndex < 0 || sizes.timeIndex < 0 || endOffset < startOffset - 1n) return null;
  return {
    version: 1,
    startOffset,
    endOffset,
    maxTimestampMs,
    eventTimestampMs: Number(raw.eventTimestampMs ?? 0),
    segmentSizeInBytes,
    objects: sizes,
    logSha256: raw.logSha256,
  };
}

export function remoteRoles(metadata: RemoteLogSegmentMetadata): RemoteObjectRole[] {
  return (Object.keys(ROLE_SUFFIX) as RemoteObjectRole[]).filter((role) => metadata.objects[role] !== undefined);
}
