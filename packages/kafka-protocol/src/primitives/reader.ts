import { ProtocolError } from './protocol-error.ts';
import { uuidFromBytes } from './uuid.ts';

/**
 * Cursor over a Buffer. Every read checks bounds first, so a truncated or hostile frame raises a
 * ProtocolError instead of reading garbage or throwing a RangeError from deep inside Node.
 * Byte fields are returned as subarrays of the input (no copy): callers that keep them beyond the
 * life of the frame buffer copy them themselves.
 */
export class Reader {
  readonly buffer: Buffer;
  offset: number;
  readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (at + n > this.end) {
      throw new ProtocolError('UNDERFLOW', `need ${n} bytes at offset ${at}, ${this.end - at} left`);
    }
    this.offset = at + n;
    return at;
  }

  skip(n: number): this {
    this.need(n);
    return this;
  }

  readInt8(): number {
    return this.buffer.readInt8(this.need(1));
  }

  readUInt8(): number {
    return this.buffer[this.need(1)];
  }

  readInt16(): number {
    return this.buffer.readInt16BE(this.need(2));
  }

  readUInt16(): number {
    return this.buffer.readUInt16BE(this.need(2));
  }

  readInt32(): number {
    return this.buffer.readInt32BE(this.need(4));
  }

  readUInt32(): number {
    return this.buffer.readUInt32BE(this.need(4));
  }

  readInt64(): bigint {
    return this.buffer.readBigInt64BE(this.need(8));
  }

  readFloat64(): number {
    return this.buffer.readDoubleBE(this.need(8));
  }

  readBoolean(): boolean {
    return this.buffer[this.need(1)] !== 0;
  }

  readUuid(): string {
    const at = this.need(16);
    return uuidFromBytes(this.buffer, at);
  }

  /** Unsigned LEB128, at most 5 bytes (32 bits). */
  readUnsignedVarInt(): number {
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const byte = this.buffer[this.need(1)];
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
      shift += 7;
    }
    throw new ProtocolError('INVALID_VARINT', `varint longer than 5 bytes at offset ${this.offset - 5}`);
  }

  /** Zigzag-encoded signed 32-bit varint. */
  readVarInt(): number {
    const n = this.readUnsignedVarInt();
    return (n >>> 1) ^ -(n & 1);
  }

  /** Unsigned LEB128, at most 10 bytes (64 bits). */
  readUnsignedVarLong(): bigint {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const byte = this.buffer[this.need(1)];
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7n;
    }
    throw new ProtocolError('INVALID_VARINT', `varlong longer than 10 bytes at offset ${this.offset - 10}`);
  }

  /** Zigzag-encoded signed 64-bit varint. */
  readVarLong(): bigint {
    const n = this.readUnsignedVarLong();
    return BigInt.asIntN(64, (n >> 1n) ^ -(n & 1n));
  }

  /** A length that may be -1 (null); anything else negative, or longer than the input, is malformed. */
  private checkLength(length: number, what: string): number {
    if (length < -1 || length > this.remaining) {
      throw new ProtocolError('INVALID_LENGTH', `${what} length ${length} at offset ${this.offset}, ${this.remaining} bytes left`);
    }
    return length;
  }

  private text(length: number): string {
    const at = this.need(length);
    return this.buffer.toString('utf8', at, at + length);
  }

  private notNull(what: string): never {
    throw new ProtocolError('INVALID_LENGTH', `null ${what} at offset ${this.offset} where none is allowed`);
  }

  readNullableString(): string | null {
    const length = this.checkLength(this.readInt16(), 'string');
    return length === -1 ? null : this.text(length);
  }

  readString(): string {
    return this.readNullableString() ?? this.notNull('string');
  }

  readCompactNullableString(): string | null {
    const length = this.checkLength(this.readUnsignedVarInt() - 1, 'compact string');
    return length === -1 ? null : this.text(length);
  }

  readCompactString(): string {
    return this.readCompactNullableString() ?? this.notNull('compact string');
  }

  /** Reads `length` raw bytes as a subarray of the input. */
  readRaw(length: number): Buffer {
    const at = this.need(length);
    return this.buffer.subarray(at, at + length);
  }

  readNullableBytes(): Buffer | null {
    const length = this.checkLength(this.readInt32(), 'bytes');
    return length === -1 ? null : this.readRaw(length);
  }

  readBytes(): Buffer {
    return this.readNullableBytes() ?? this.notNull('bytes');
  }

  readCompactNullableBytes(): Buffer | null {
    const length = this.checkLength(this.readUnsignedVarInt() - 1, 'compact bytes');
    return length === -1 ? null : this.readRaw(length);
  }

  readCompactBytes(): Buffer {
    return this.readCompactNullableBytes() ?? this.notNull('compact bytes');
  }

  /** Varint-length bytes as used inside records (-1 = null). */
  readVarIntBytes(): Buffer | null {
    const length = this.checkLength(this.readVarInt(), 'varint bytes');
    return length === -1 ? null : this.readRaw(length);
  }

  /**
   * An element count; -1 means null. Every element takes at least one byte, so a count beyond the
   * remaining bytes is rejected before anything is allocated for it.
   */
  readArrayLength(): number {
    return this.checkLength(this.readInt32(), 'array');
  }

  readCompactArrayLength(): number {
    return this.checkLength(this.readUnsignedVarInt() - 1, 'compact array');
  }

  readNullableArray<T>(readItem: (reader: Reader) => T): T[] | null {
    const length = this.readArrayLength();
    return length === -1 ? null : this.items(length, readItem);
  }

  readArray<T>(readItem: (reader: Reader) => T): T[] {
    return this.readNullableArray(readItem) ?? this.notNull('array');
  }

  readCompactNullableArray<T>(readItem: (reader: Reader) => T): T[] | null {
    const length = this.readCompactArrayLength();
    return length === -1 ? null : this.items(length, readItem);
  }

  readCompactArray<T>(readItem: (reader: Reader) => T): T[] {
    return this.readCompactNullableArray(readItem) ?? this.notNull('compact array');
  }

  private items<T>(length: number, readItem: (reader: Reader) => T): T[] {
    const items = new Array<T>(length);
    for (let i = 0; i < length; i++) items[i] = readItem(this);
    return items;
  }

  /**
   * Reads a tagged-field section. Known tags go to `onTag` with a reader bounded to the field;
   * unknown tags are skipped, as the protocol requires.
   */
  readTaggedFields(onTag?: (tag: number, reader: Reader) => void): void {
    const count = this.readUnsignedVarInt();
    for (let i = 0; i < count; i++) {
      const tag = this.readUnsignedVarInt();
      const size = this.checkLength(this.readUnsignedVarInt(), 'tagged field');
      const start = this.need(size);
      if (onTag) onTag(tag, new Reader(this.buffer, start, start + size));
    }
  }
}
