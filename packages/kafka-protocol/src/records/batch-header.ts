import { crc32c } from '../primitives/crc32c.ts';

/*
 * RecordBatch v2 header (61 bytes):
 *   baseOffset: int64            @0
 *   batchLength: int32           @8   (bytes after this field)
 *   partitionLeaderEpoch: int32  @12
 *   magic: int8                  @16  (= 2)
 *   crc: uint32                  @17  (CRC32C of everything from attributes to the end)
 *   attributes: int16            @21
 *   lastOffsetDelta: int32       @23
 *   baseTimestamp: int64         @27
 *   maxTimestamp: int64          @35
 *   producerId: int64            @43
 *   producerEpoch: int16         @51
 *   baseSequence: int32          @53
 *   recordCount: int32           @57
 *   records                      @61
 */
export const BATCH_HEADER_SIZE = 61;
/** Bytes before the part batchLength counts. */
export const BATCH_LOG_OVERHEAD = 12;
export const BATCH_CRC_START = 21;

export const enum BatchOffset {
  BaseOffset = 0,
  BatchLength = 8,
  PartitionLeaderEpoch = 12,
  Magic = 16,
  Crc = 17,
  Attributes = 21,
  LastOffsetDelta = 23,
  BaseTimestamp = 27,
  MaxTimestamp = 35,
  ProducerId = 43,
  ProducerEpoch = 51,
  BaseSequence = 53,
  RecordCount = 57,
}

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG = 0x10;
export const CONTROL_FLAG = 0x20;

export interface BatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Reads the header of the batch starting at `offset`. The caller checks there are BATCH_HEADER_SIZE bytes. */
export function readBatchHeader(buf: Buffer, offset = 0): BatchHeader {
  return {
    baseOffset: buf.readBigInt64BE(offset + BatchOffset.BaseOffset),
    batchLength: buf.readInt32BE(offset + BatchOffset.BatchLength),
    partitionLeaderEpoch: buf.readInt32BE(offset + BatchOffset.PartitionLeaderEpoch),
    magic: buf.readInt8(offset + BatchOffset.Magic),
    crc: buf.readUInt32BE(offset + BatchOffset.Crc),
    attributes: buf.readInt16BE(offset + BatchOffset.Attributes),
    lastOffsetDelta: buf.readInt32BE(offset + BatchOffset.LastOffsetDelta),
    baseTimestamp: buf.readBigInt64BE(offset + BatchOffset.BaseTimestamp),
    maxTimestamp: buf.readBigInt64BE(offset + BatchOffset.MaxTimestamp),
    producerId: buf.readBigInt64BE(offset + BatchOffset.ProducerId),
    producerEpoch: buf.readInt16BE(offset + BatchOffset.ProducerEpoch),
    baseSequence: buf.readInt32BE(offset + BatchOffset.BaseSequence),
    recordCount: buf.readInt32BE(offset + BatchOffset.RecordCount),
  };
}

/** Total size on the wire of the batch starting at `offset` (header included). */
export function batchSize(buf: Buffer, offset = 0): number {
  return BATCH_LOG_OVERHEAD + buf.readInt32BE(offset + BatchOffset.BatchLength);
}

/** Whether the stored CRC matches the batch's content. Offsets and leader epoch are outside the CRC by design. */
export function batchCrcValid(buf: Buffer, offset = 0): boolean {
  const end = offset + batchSize(buf, offset);
  if (end > buf.length) return false;
  return crc32c(buf.subarray(offset + BATCH_CRC_START, end)) === buf.readUInt32BE(offset + BatchOffset.Crc);
}

/** Writes the CRC of a batch whose content was just encoded. */
export function writeBatchCrc(buf: Buffer, offset = 0): void {
  const end = offset + batchSize(buf, offset);
  buf.writeUInt32BE(crc32c(buf.subarray(offset + BATCH_CRC_START, end)), offset + BatchOffset.Crc);
}
