export { PartitionLog } from './partition-log.ts';
export type { AppendResult, PartitionLogOptions, ReadResult } from './partition-log.ts';
export { DEFAULT_LOG_CONFIG, resolveLogConfig } from './config.ts';
export type { FlushPolicy, LogConfig } from './config.ts';
export { LogError, LOG_ERRORS } from './errors.ts';
export type { LogErrorCode } from './errors.ts';
export { segmentFileName } from './segment.ts';
export type { SegmentInfo } from './segment.ts';
