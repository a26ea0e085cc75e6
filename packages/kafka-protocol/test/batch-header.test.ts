import { describe, expect, it } from 'vitest';
import { crc32c, batchCrcValid, readBatchHeader, writeBatchCrc, BATCH_HEADER_SIZE, BatchOffset } from '../src/index.ts';

describe('crc32c', () => {
  it('matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789')).toString(16)).toBe('e3069283');
  });
});

describe('record batch header', () => {
  it('reads fields and validates the CRC over attributes..end', () => {
    const buf = Buffer.alloc(BATCH_HEADER_SIZE);
    buf.writeBigInt64BE(42n, BatchOffset.BaseOffset);
    buf.writeInt32BE(BATCH_HEADER_SIZE - 12, BatchOffset.BatchLength);
    buf.writeInt8(2, BatchOffset.Magic);
    buf.writeInt32BE(4, BatchOffset.LastOffsetDelta);
    buf.writeInt32BE(5, BatchOffset.RecordCount);
    writeBatchCrc(buf);
    expect(batchCrcValid(buf)).toBe(true);
    const h = readBatchHeader(buf);
    expect(h).toMatchObject({ baseOffset: 42n, magic: 2, lastOffsetDelta: 4, recordCount: 5 });
    buf.writeBigInt64BE(7n, BatchOffset.BaseOffset);
    expect(batchCrcValid(buf)).toBe(true);
    buf[BatchOffset.RecordCount + 3] ^= 1;
    expect(batchCrcValid(buf)).toBe(false);
  });
});
