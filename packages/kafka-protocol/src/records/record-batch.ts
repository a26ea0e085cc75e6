import { ProtocolError } from '../primitives/protocol-error.ts';
import { Reader } from '../primitives/reader.ts';
import { Writer } from '../primitives/writer.ts';
import {
  BATCH_HEADER_SIZE,
  BATCH_LOG_OVERHEAD,
  BatchOffset,
  COMPRESSION_MASK,
  CONTROL_FLAG,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG,
  batchCrcValid,
  readBatchHeader,
  writeBatchCrc,
  type BatchHeader,
} from './batch-header.ts';
import { CompressionType, compressionCodec } from './compression.ts';

/*
 * Record (inside a v2 batch; the part after the batch header may be compressed as a whole):
 *   length: varint
 *   attributes: int8 (unused, 0)
 *   timestampDelta: varlong
 *   offsetDelta: varint
 *   keyLength: varint, key: byte[]       (-1 = null)
 *   valueLength: varint, value: byte[]   (-1 = null)
 *   headers: varint count, then [headerKeyLength: varint, headerKey: utf8, headerValueLength: varint, headerValue: byte[]]
 */

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface RecordInput {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Array<{ key: string; value: Buffer | string | null }>;
  /** Absolute timestamp (ms); defaults to the batch's base timestamp. */
  timestamp?: bigint;
  /** Defaults to the record's position in the batch. */
  offsetDelta?: number;
}

export interface RecordBatchInput {
  records: RecordInput[];
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  /** Timestamps are broker append times (LogAppendTime) rather than producer create times. */
  logAppendTime?: boolean;
  transactional?: boolean;
  control?: boolean;
  /** Defaults to the smallest record timestamp, or the current time when no record has one. */
  baseTimestamp?: bigint;
  maxTimestamp?: bigint;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  /** Defaults to the last record's offset delta (kept explicitly by compaction, which drops records). */
  lastOffsetDelta?: number;
}

export interface DecodedRecord {
  attributes: number;
  timestampDelta: bigint;
  offsetDelta: number;
  /** baseTimestamp + timestampDelta. */
  timestamp: bigint;
  /** baseOffset + offsetDelta. */
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface RecordBatch extends BatchHeader {
  compression: number;
  logAppendTime: boolean;
  transactional: boolean;
  control: boolean;
  records: DecodedRecord[];
}

const toBytes = (value: Buffer | string | null | undefined): Buffer | null =>
  value == null ? null : typeof value === 'string' ? Buffer.from(value) : value;

function writeRecord(out: Writer, record: RecordInput, index: number, baseTimestamp: bigint): void {
  const body = new Writer(64);
  body.appendInt8(0);
  body.appendVarLong((record.timestamp ?? baseTimestamp) - baseTimestamp);
  body.appendVarInt(record.offsetDelta ?? index);
  body.appendVarIntBytes(toBytes(record.key));
  body.appendVarIntBytes(toBytes(record.value));
  const headers = record.headers ?? [];
  body.appendVarInt(headers.length);
  for (const header of headers) {
    body.appendVarIntBytes(Buffer.from(header.key));
    body.appendVarIntBytes(toBytes(header.value));
  }
  out.appendVarInt(body.length).appendWriter(body);
}

/** Encodes one record batch v2 (magic 2) with its CRC. */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const { records } = input;
  const timestamps = records.flatMap((r) => (r.timestamp === undefined ? [] : [r.timestamp]));
  const baseTimestamp =
    input.baseTimestamp ?? (timestamps.length > 0 ? timestamps.reduce((a, b) => (b < a ? b : a)) : BigInt(Date.now()));
  const maxTimestamp =
    input.maxTimestamp ?? records.reduce((max, r) => ((r.timestamp ?? baseTimestamp) > max ? (r.timestamp ?? baseTimestamp) : max), baseTimestamp);
  const compression = input.compression ?? CompressionType.None;

  const payload = new Writer(1024);
  records.forEach((record, i) => writeRecord(payload, record, i, baseTimestamp));
  const body = compressionCodec(compression).compress(payload.toBuffer());

  const attributes =
    compression |
    (input.logAppendTime ? TIMESTAMP_TYPE_MASK : 0) |
    (input.transactional ? TRANSACTIONAL_FLAG : 0) |
    (input.control ? CONTROL_FLAG : 0);
  const lastOffsetDelta = input.lastOffsetDelta ?? (records.length > 0 ? (records.at(-1)!.offsetDelta ?? records.length - 1) : 0);

  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + body.length);
  batch.writeBigInt64BE(input.baseOffset ?? 0n, BatchOffset.BaseOffset);
  batch.writeInt32BE(batch.length - BATCH_LOG_OVERHEAD, BatchOffset.BatchLength);
  batch.writeInt32BE(input.partitionLeaderEpoch ?? -1, BatchOffset.PartitionLeaderEpoch);
  batch.writeInt8(2, BatchOffset.Magic);
  batch.writeInt16BE(attributes, BatchOffset.Attributes);
  batch.writeInt32BE(lastOffsetDelta, BatchOffset.LastOffsetDelta);
  batch.writeBigInt64BE(baseTimestamp, BatchOffset.BaseTimestamp);
  batch.writeBigInt64BE(maxTimestamp, BatchOffset.MaxTimestamp);
  batch.writeBigInt64BE(input.producerId ?? -1n, BatchOffset.ProducerId);
  batch.writeInt16BE(input.producerEpoch ?? -1, BatchOffset.ProducerEpoch);
  batch.writeInt32BE(input.baseSequence ?? -1, BatchOffset.BaseSequence);
  batch.writeInt32BE(records.length, BatchOffset.RecordCount);
  body.copy(batch, BATCH_HEADER_SIZE);
  writeBatchCrc(batch);
  return batch;
}

function corrupt(message: string): ProtocolError {
  return new ProtocolError('CORRUPT_RECORD', message);
}

/**
 * Checks that a complete v2 batch starts at `offset` and returns its total size.
 * Magic 0/1 message sets are refused: every client Fjord supports writes v2.
 */
export function checkBatchBounds(buf: Buffer, offset = 0): number {
  if (buf.length - offset < BATCH_HEADER_SIZE) throw corrupt(`batch header needs ${BATCH_HEADER_SIZE} bytes, ${buf.length - offset} left`);
  const batchLength = buf.readInt32BE(offset + BatchOffset.BatchLength);
  const size = BATCH_LOG_OVERHEAD + batchLength;
  if (size < BATCH_HEADER_SIZE) throw corrupt(`batch length ${batchLength} is smaller than a batch header`);
  if (offset + size > buf.length) throw corrupt(`batch of ${size} bytes runs past the end of its ${buf.length - offset}-byte record set`);
  const magic = buf.readInt8(offset + BatchOffset.Magic);
  if (magic !== 2) throw corrupt(`record batch magic ${magic} is not supported (only v2)`);
  return size;
}

/**
 * Splits a record set (the `records` field of Produce or Fetch) into its batches, as views.
 * A Fetch response may end with a partial batch (the broker cuts at maxBytes): pass
 * `allowPartialTail` to drop it instead of failing.
 */
export function splitRecordBatches(records: Buffer, options: { allowPartialTail?: boolean } = {}): Buffer[] {
  const batches: Buffer[] = [];
  let offset = 0;
  while (offset < records.length) {
    const left = records.length - offset;
    if (options.allowPartialTail && (left < BATCH_LOG_OVERHEAD || BATCH_LOG_OVERHEAD + records.readInt32BE(offset + BatchOffset.BatchLength) > left)) {
      break;
    }
    const size = checkBatchBounds(records, offset);
    batches.push(records.subarray(offset, offset + size));
    offset += size;
  }
  return batches;
}

function readRecord(reader: Reader, baseOffset: bigint, baseTimestamp: bigint): DecodedRecord {
  const length = reader.readVarInt();
  if (length < 0 || length > reader.remaining) throw corrupt(`record length ${length} with ${reader.remaining} bytes left`);
  const end = reader.offset + length;
  const r = new Reader(reader.buffer, reader.offset, end);
  const attributes = r.readInt8();
  const timestampDelta = r.readVarLong();
  const offsetDelta = r.readVarInt();
  const key = r.readVarIntBytes();
  const value = r.readVarIntBytes();
  const headerCount = r.readVarInt();
  if (headerCount < 0 || headerCount > r.remaining) throw corrupt(`record header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const headerKey = r.readVarIntBytes();
    if (headerKey === null) throw corrupt('record header with a null key');
    headers.push({ key: headerKey.toString('utf8'), value: r.readVarIntBytes() });
  }
  if (r.remaining !== 0) throw corrupt(`record has ${r.remaining} bytes beyond its fields`);
  reader.offset = end;
  return {
    attributes,
    timestampDelta,
    offsetDelta,
    timestamp: baseTimestamp + timestampDelta,
    offset: baseOffset + BigInt(offsetDelta),
    key,
    value,
    headers,
  };
}

/** Decodes the batch at `offset`, decompressing its records. Checks the CRC unless told not to. */
export function decodeRecordBatch(buf: Buffer, offset = 0, options: { verifyCrc?: boolean } = {}): RecordBatch {
  const size = checkBatchBounds(buf, offset);
  if ((options.verifyCrc ?? true) && !batchCrcValid(buf, offset)) throw corrupt('record batch CRC mismatch');
  const header = readBatchHeader(buf, offset);
  const compression = header.attributes & COMPRESSION_MASK;
  const stored = buf.subarray(offset + BATCH_HEADER_SIZE, offset + size);
  let body: Buffer;
  try {
    body = compressionCodec(compression).decompress(stored);
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw corrupt(`cannot decompress batch (codec ${compression}): ${(err as Error).message}`);
  }
  if (header.recordCount < 0 || header.recordCount > body.length) throw corrupt(`record count ${header.recordCount}`);
  const reader = new Reader(body);
  const records: DecodedRecord[] = new Array(header.recordCount);
  try {
    for (let i = 0; i < header.recordCount; i++) records[i] = readRecord(reader, header.baseOffset, header.baseTimestamp);
  } catch (err) {
    if (err instanceof ProtocolError && err.code !== 'CORRUPT_RECORD') throw corrupt(`malformed record: ${err.message}`);
    throw err;
  }
  if (reader.remaining !== 0) throw corrupt(`${reader.remaining} bytes after the last of ${header.recordCount} records`);
  return {
    ...header,
    compression,
    logAppendTime: (header.attributes & TIMESTAMP_TYPE_MASK) !== 0,
    transactional: (header.attributes & TRANSACTIONAL_FLAG) !== 0,
    control: (header.attributes & CONTROL_FLAG) !== 0,
    records,
  };
}

/** Decodes every complete batch of a record set (a partial batch at the end is ignored, as in Fetch). */
export function decodeRecordBatches(records: Buffer, options: { verifyCrc?: boolean } = {}): RecordBatch[] {
  return splitRecordBatches(records, { allowPartialTail: true }).map((batch) => decodeRecordBatch(batch, 0, options));
}
