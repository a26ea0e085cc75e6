import { LogError } from './errors.ts';

export type FlushPolicy = 'every-write' | 'interval' | 'none';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  /** -1 = unlimited */
  retentionMs: number;
  /** -1 = unlimited */
  retentionBytes: number;
  /** With remote storage, how long a segment stays on local disk too (-2 = retentionMs, -1 = unlimited). */
  localRetentionMs?: number;
  /** With remote storage, how many bytes stay on local disk (-2 = retentionBytes, -1 = unlimited). */
  localRetentionBytes?: number;
  flush: FlushPolicy;
  flushIntervalMs: number;
  /** Bytes of log between two sparse index entries. */
  indexIntervalBytes?: number;
  /** Largest batch accepted by append(). */
  maxBatchBytes?: number;
}

export const DEFAULT_LOG_CONFIG: Readonly<Required<LogConfig>> = {
  segmentBytes: 128 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  localRetentionMs: -2,
  localRetentionBytes: -2,
  flush: 'every-write',
  flushIntervalMs: 1000,
  indexIntervalBytes: 4096,
  maxBatchBytes: 1024 * 1024 + 12,
};

/** Positions in index files are int32, so a segment (and a batch) must stay below 2 GiB. */
const MAX_SEGMENT_BYTES = 0x7fffffff;

export function resolveLogConfig(config: Partial<LogConfig>): Required<LogConfig> {
  const resolved = { ...DEFAULT_LOG_CONFIG, ...stripUndefined(config) };
  // Time and byte limits have no upper bound: Kafka users write Long.MAX_VALUE for "forever".
  const positive = (name: keyof LogConfig, value: number, max = Number.POSITIVE_INFINITY) => {
    if (!Number.isInteger(value) || value <= 0 || value > max) {
      throw new LogError('INVALID_CONFIG', `${name} must be a positive integer${max === Number.POSITIVE_INFINITY ? '' : ` up to ${max}`}, got ${value}`);
    }
  };
  // As Kafka: -1 is no limit, and 0 keeps no closed segment (retention.ms and retention.bytes take any value from -1).
  const limitOrUnlimited = (name: keyof LogConfig, value: number) => {
    if (value !== -1 && value !== 0) positive(name, value);
  };
  // As Kafka validates local.retention.*: -2 (follow the total), or a limit that does not exceed it.
  const localLimit = (name: keyof LogConfig, value: number, total: number) => {
    if (value === -2) return;
    limitOrUnlimited(name, value);
    if (total !== -1 && (value === -1 || value > total)) {
      throw new LogError('INVALID_CONFIG', `${name} (${value}) cannot exceed the total retention (${total})`);
    }
  };
  positive('segmentBytes', resolved.segmentBytes, MAX_SEGMENT_BYTES);
  positive('segmentMs', resolved.segmentMs);
  limitOrUnlimited('retentionMs', resolved.retentionMs);
  limitOrUnlimited('retentionBytes', resolved.retentionBytes);
  localLimit('localRetentionMs', resolved.localRetentionMs, resolved.retentionMs);
  localLimit('localRetentionBytes', resolved.localRetentionBytes, resolved.retentionBytes);
  positive('flushIntervalMs', resolved.flushIntervalMs);
  positive('indexIntervalBytes', resolved.indexIntervalBytes);
  positive('maxBatchBytes', resolved.maxBatchBytes, MAX_SEGMENT_BYTES);
  if (!['every-write', 'interval', 'none'].includes(resolved.flush)) {
    throw new LogError('INVALID_CONFIG', `flush must be every-write, interval or none, got ${String(resolved.flush)}`);
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
