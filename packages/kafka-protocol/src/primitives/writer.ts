import { ProtocolError } from './protocol-error.ts';
import { uuidToBytes } from './uuid.ts';

/** Raw buffers at least this large are referenced, not copied (record sets in Fetch responses). */
const ZERO_COPY_THRESHOLD = 16 * 1024;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/**
 * Growable, chainable big-endian writer. Small values go into a scratch buffer that doubles as it
 * fills; large raw buffers are kept by reference as separate chunks, so a Fetch response holding
 * megabytes of record batches is assembled without copying them until `toBuffer()` (or never,
 * with `toChunks()` and a vectored socket write).
 */
export class Writer {
  private chunks: Buffer[] = [];
  private flushed = 0;
  private buf: Buffer;
  private pos = 0;
  /** The first chunk when it is our own scratch space (and so may be patched), else null. */
  private ownedHead: Buffer | null = null;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.flushed + this.pos;
  }

  /** Makes room for `n` more bytes at `pos`. Call before touching `buf`: growing replaces it. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  appendInt8(value: number): this {
    this.ensure(1);
    this.pos = this.buf.writeInt8(value, this.pos);
    return this;
  }

  appendUInt8(value: number): this {
    this.ensure(1);
    this.pos = this.buf.writeUInt8(value, this.pos);
    return this;
  }

  appendInt16(value: number): this {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(value, this.pos);
    return this;
  }

  appendUInt16(value: number): this {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(value, this.pos);
    return this;
  }

  appendInt32(value: number): this {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(value, this.pos);
    return this;
  }

  appendUInt32(value: number): this {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(value, this.pos);
    return this;
  }

  appendInt64(value: bigint): this {
    if (typeof value !== 'bigint') throw new ProtocolError('INVALID_VALUE', `int64 must be a bigint, got ${typeof value}`);
    this.ensure(8);
    this.pos = this.buf.writeBigInt64BE(BigInt.asIntN(64, value), this.pos);
    return this;
  }

  appendFloat64(value: number): this {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(value, this.pos);
    return this;
  }

  appendBoolean(value: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
    return this;
  }

  appendUuid(value: string): this {
    const bytes = uuidToBytes(value);
    this.ensure(16);
    this.pos += bytes.copy(this.buf, this.pos);
    return this;
  }

  appendUnsignedVarInt(value: number): this {
    let v = value >>> 0;
    if (v !== value) throw new ProtocolError('INVALID_VALUE', `unsigned varint out of range: ${value}`);
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
    return this;
  }

  appendVarInt(value: number): this {
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
      throw new ProtocolError('INVALID_VALUE', `varint out of range: ${value}`);
    }
    return this.appendUnsignedVarInt(((value << 1) ^ (value >> 31)) >>> 0);
  }

  appendUnsignedVarLong(value: bigint): this {
    let v = BigInt.asUintN(64, value);
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  appendVarLong(value: bigint): this {
    const v = BigInt.asIntN(64, value);
    return this.appendUnsignedVarLong((v << 1n) ^ (v >> 63n));
  }

  /** Appends bytes as they are: no length prefix. */
  appendRaw(data: Buffer): this {
    if (data.length >= ZERO_COPY_THRESHOLD) {
      this.seal();
      this.chunks.push(data);
      this.flushed += data.length;
    } else {
      this.ensure(data.length);
      this.pos += data.copy(this.buf, this.pos);
    }
    return this;
  }

  /** Appends another writer's content (used for size-prefixed nested sections). */
  appendWriter(other: Writer): this {
    for (const chunk of other.toChunks()) this.appendRaw(chunk);
    return this;
  }

  appendNullableString(value: string | null | undefined): this {
    if (value == null) return this.appendInt16(-1);
    const length = Buffer.byteLength(value);
    if (length > 0x7fff) throw new ProtocolError('INVALID_VALUE', `string of ${length} bytes exceeds int16 length`);
    this.appendInt16(length);
    this.ensure(length);
    this.pos += this.buf.write(value, this.pos, 'utf8');
    return this;
  }

  appendString(value: string): this {
    return this.appendNullableString(this.notNull(value, 'string'));
  }

  appendCompactNullableString(value: string | null | undefined): this {
    if (value == null) return this.appendUnsignedVarInt(0);
    const length = Buffer.byteLength(value);
    this.appendUnsignedVarInt(length + 1);
    this.ensure(length);
    this.pos += this.buf.write(value, this.pos, 'utf8');
    return this;
  }

  appendCompactString(value: string): this {
    return this.appendCompactNullableString(this.notNull(value, 'string'));
  }

  appendNullableBytes(value: Buffer | null | undefined): this {
    if (value == null) return this.appendInt32(-1);
    return this.appendInt32(value.length).appendRaw(value);
  }

  appendBytes(value: Buffer): this {
    return this.appendNullableBytes(this.notNull(value, 'bytes'));
  }

  appendCompactNullableBytes(value: Buffer | null | undefined): this {
    if (value == null) return this.appendUnsignedVarInt(0);
    return this.appendUnsignedVarInt(value.length + 1).appendRaw(value);
  }

  appendCompactBytes(value: Buffer): this {
    return this.appendCompactNullableBytes(this.notNull(value, 'bytes'));
  }

  /** Varint-length bytes as used inside records (-1 = null). */
  appendVarIntBytes(value: Buffer | null | undefined): this {
    if (value == null) return this.appendVarInt(-1);
    return this.appendVarInt(value.length).appendRaw(value);
  }

  appendNullableArray<T>(items: readonly T[] | null | undefined, writeItem: (writer: this, item: T) => void): this {
    if (items == null) return this.appendInt32(-1);
    this.appendInt32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  appendArray<T>(items: readonly T[], writeItem: (writer: this, item: T) => void): this {
    return this.appendNullableArray(this.notNull(items, 'array'), writeItem);
  }

  appendCompactNullableArray<T>(items: readonly T[] | null | undefined, writeItem: (writer: this, item: T) => void): this {
    if (items == null) return this.appendUnsignedVarInt(0);
    this.appendUnsignedVarInt(items.length + 1);
    for (const item of items) writeItem(this, item);
    return this;
  }

  appendCompactArray<T>(items: readonly T[], writeItem: (writer: this, item: T) => void): this {
    return this.appendCompactNullableArray(this.notNull(items, 'array'), writeItem);
  }

  /** An empty tagged-field section. */
  appendEmptyTaggedFields(): this {
    return this.appendUnsignedVarInt(0);
  }

  /** Overwrites an int32 written earlier (size prefixes). The position must lie in the first chunk. */
  setInt32(offset: number, value: number): this {
    const target = this.chunks.length > 0 ? this.ownedHead : this.buf.subarray(0, this.pos);
    if (target === null || offset < 0 || offset + 4 > target.length) {
      throw new ProtocolError('INVALID_VALUE', `cannot patch offset ${offset}`);
    }
    target.writeInt32BE(value, offset);
    return this;
  }

  /** The content as a list of buffers, without copying large raw chunks. */
  toChunks(): Buffer[] {
    return this.pos > 0 ? [...this.chunks, this.buf.subarray(0, this.pos)] : [...this.chunks];
  }

  toBuffer(): Buffer {
    if (this.chunks.length === 0) return this.buf.subarray(0, this.pos);
    return Buffer.concat(this.toChunks(), this.length);
  }

  private seal(): void {
    if (this.pos === 0) {
      if (this.chunks.length === 0) this.ownedHead = null;
      return;
    }
    if (this.chunks.length === 0) this.ownedHead = this.buf.subarray(0, this.pos);
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.flushed += this.pos;
    this.buf = Buffer.allocUnsafe(Math.max(256, this.buf.length - this.pos));
    this.pos = 0;
  }

  private notNull<T>(value: T | null | undefined, what: string): T {
    if (value == null) throw new ProtocolError('INVALID_VALUE', `null ${what} where the version does not allow null`);
    return value;
  }
}
