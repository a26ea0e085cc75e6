export { ProtocolError, type ProtocolErrorCode } from './primitives/protocol-error.ts';
export { Reader } from './primitives/reader.ts';
export { Writer } from './primitives/writer.ts';
export { ZERO_UUID, uuidFromBytes, uuidToBytes } from './primitives/uuid.ts';
export { crc32c } from './primitives/crc32c.ts';
export type { FieldSpec, ScalarType } from './schema/field.ts';
export type { ApiDefinition } from './schema/define-api.ts';
export { Api, apiByKey, type ApiName } from './api-registry.ts';
export type * from './apis/index.ts';
export {
  decodeRequestHeader,
  decodeRequestFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  encodeResponseFrameChunks,
  decodeResponseFrame,
  type RequestHeader,
} from './frames.ts';
export { FrameSplitter, FrameSizeError, readFrameSize, FRAME_SIZE_PREFIX_BYTES, type FrameLimits } from './frame-splitter.ts';
export { ErrorCode, errorByCode, type ErrorName, type KafkaErrorInfo } from './error-codes.ts';
export * from './records/batch-header.ts';
export { CompressionType, compressionCodec, type CompressionCodec } from './records/compression.ts';
export {
  encodeRecordBatch,
  decodeRecordBatch,
  decodeRecordBatches,
  splitRecordBatches,
  checkBatchBounds,
  type RecordBatch,
  type RecordBatchInput,
  type RecordInput,
  type DecodedRecord,
  type RecordHeader,
} from './records/record-batch.ts';
export { decodeConsumerAssignment, encodeConsumerAssignment, type ConsumerAssignment } from './consumer-protocol.ts';
