/**
 * @fjord/log: a Kafka-style partition log. A partition is a directory of segments named by their
 * base offset (20 digits): `.log` holds record batches v2 exactly as produced (the broker's
 * offset and a zero leader epoch written in place, both outside the CRC), `.index` maps offsets
 * to file positions and `.timeindex` timestamps to offsets, both sparse. `partition.json` keeps
 * the log start offset and whether the last close was clean. `compact()` cleans closed segments of
 * compacted topics (newest record per key, offsets kept, so closed segments may have offset gaps).
 * With `remote` storage (KIP-405 tiering), `tier()` uploads closed segments and reads below the
 * local log start are served from the object store through a shared on-disk read cache.
 */
export { PartitionLog } from './partition-log.ts';
export type { AppendResult, CompactionResult, CompactOptions, PartitionLogOptions, ReadResult, TierResult } from './partition-log.ts';
export { RemoteReadCache, type ReadCacheOptions } from './remote/read-cache.ts';
export type { RemoteStorage } from './remote/remote-log.ts';
export { remoteLogBytes, remotePartitionPrefix, remoteTopicPrefix } from './remote/remote-layout.ts';
export type { RemoteLogSegmentMetadata } from './remote/remote-segment.ts';
export { DEFAULT_LOG_CONFIG, resolveLogConfig } from './config.ts';
export type { FlushPolicy, LogConfig } from './config.ts';
export { LogError, LOG_ERRORS } from './errors.ts';
export type { LogErrorCode } from './errors.ts';
export type { ReadAllocator } from './files.ts';
export { segmentFileName } from './segment.ts';
export type { SegmentInfo } from './segment.ts';
