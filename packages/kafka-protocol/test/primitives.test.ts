import { describe, expect, it } from 'vitest';
import { ProtocolError, Reader, Writer, ZERO_UUID } from '../src/index.ts';

const roundTrip = <T>(write: (w: Writer) => void, read: (r: Reader) => T): { value: T; bytes: Buffer } => {
  const w = new Writer(1);
  write(w);
  const bytes = w.toBuffer();
  const r = new Reader(bytes);
  const value = read(r);
  expect(r.remaining).toBe(0);
  return { value, bytes };
};

const expectProtocolError = (fn: () => unknown, code: string): void => {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).code).toBe(code);
};

describe('varints', () => {
  it.each([
    [0, '00'],
    [127, '7f'],
    [128, '8001'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [0xffffffff, 'ffffffff0f'],
  ])('unsigned varint %i is %s', (value, hex) => {
    const { value: back, bytes } = roundTrip((w) => w.appendUnsignedVarInt(value), (r) => r.readUnsignedVarInt());
    expect(bytes.toString('hex')).toBe(hex);
    expect(back).toBe(value);
  });

  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [64, '8001'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ])('zigzag varint %i is %s', (value, hex) => {
    const { value: back, bytes } = roundTrip((w) => w.appendVarInt(value), (r) => r.readVarInt());
    expect(bytes.toString('hex')).toBe(hex);
    expect(back).toBe(value);
  });

  it.each([0n, -1n, 1n, 300n, -300n, 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)])('varlong %s', (value) => {
    expect(roundTrip((w) => w.appendVarLong(value), (r) => r.readVarLong()).value).toBe(value);
  });

  it('rejects varints wider than their type and values out of range', () => {
    expectProtocolError(() => new Reader(Buffer.from('ffffffffff01', 'hex')).readUnsignedVarInt(), 'INVALID_VARINT');
    expectProtocolError(() => new Reader(Buffer.alloc(11, 0xff)).readUnsignedVarLong(), 'INVALID_VARINT');
    expectProtocolError(() => new Writer().appendVarInt(2 ** 31), 'INVALID_VALUE');
    expectProtocolError(() => new Writer().appendUnsignedVarInt(-1), 'INVALID_VALUE');
  });
});

describe('fixed-width values', () => {
  it('round-trips boundaries', () => {
    const w = new Writer(2)
      .appendInt8(-128)
      .appendInt16(32767)
      .appendInt32(-2147483648)
      .appendUInt32(0xffffffff)
      .appendInt64(-(2n ** 63n))
      .appendFloat64(Math.PI)
      .appendBoolean(true)
      .appendUuid('0123456789abcdef0123456789abcdef');
    const r = new Reader(w.toBuffer());
    expect([r.readInt8(), r.readInt16(), r.readInt32(), r.readUInt32(), r.readInt64(), r.readFloat64(), r.readBoolean()]).toEqual([
      -128,
      32767,
      -2147483648,
      0xffffffff,
      -(2n ** 63n),
      Math.PI,
      true,
    ]);
    expect(r.readUuid()).toBe('01234567-89ab-cdef-0123-456789abcdef');
  });

  it('rejects a non-bigint int64 and a malformed UUID', () => {
    expectProtocolError(() => new Writer().appendInt64(1 as unknown as bigint), 'INVALID_VALUE');
    expectProtocolError(() => new Writer().appendUuid('nope'), 'INVALID_VALUE');
    expect(roundTrip((w) => w.appendUuid(ZERO_UUID), (r) => r.readUuid()).bytes).toEqual(Buffer.alloc(16));
  });
});

describe('strings, bytes and arrays', () => {
  it('encodes null and empty distinctly in classic and compact forms', () => {
    expect(roundTrip((w) => w.appendNullableString(null), (r) => r.readNullableString())).toEqual({ value: null, bytes: Buffer.from('ffff', 'hex') });
    expect(roundTrip((w) => w.appendString(''), (r) => r.readString())).toEqual({ value: '', bytes: Buffer.from('0000', 'hex') });
    expect(roundTrip((w) => w.appendCompactNullableString(null), (r) => r.readCompactNullableString()).bytes.toString('hex')).toBe('00');
    expect(roundTrip((w) => w.appendCompactString('ab'), (r) => r.readCompactString()).bytes.toString('hex')).toBe('036162');
    expect(roundTrip((w) => w.appendNullableBytes(null), (r) => r.readNullableBytes()).bytes.toString('hex')).toBe('ffffffff');
    expect(roundTrip((w) => w.appendCompactBytes(Buffer.from([9])), (r) => r.readCompactBytes()).bytes.toString('hex')).toBe('0209');
    expect(roundTrip((w) => w.appendVarIntBytes(null), (r) => r.readVarIntBytes()).bytes.toString('hex')).toBe('01');
    expect(roundTrip((w) => w.appendNullableArray(null, () => {}), (r) => r.readNullableArray((x) => x.readInt8())).value).toBe(null);
    expect(
      roundTrip((w) => w.appendCompactArray([1, 2], (x, v) => x.appendInt8(v)), (r) => r.readCompactArray((x) => x.readInt8())),
    ).toEqual({ value: [1, 2], bytes: Buffer.from('030102', 'hex') });
  });

  it('counts UTF-8 bytes, not characters', () => {
    const { value, bytes } = roundTrip((w) => w.appendString('ø✓'), (r) => r.readString());
    expect(value).toBe('ø✓');
    expect(bytes.readInt16BE(0)).toBe(5);
  });

  it('returns byte fields as views of the input', () => {
    const input = Buffer.from('00000003616263', 'hex');
    const bytes = new Reader(input).readBytes();
    input[4] = 0x7a;
    expect(bytes.toString()).toBe('zbc');
  });

  it('rejects null where the type does not allow it', () => {
    expectProtocolError(() => new Reader(Buffer.from('ffff', 'hex')).readString(), 'INVALID_LENGTH');
    expectProtocolError(() => new Reader(Buffer.from('00', 'hex')).readCompactString(), 'INVALID_LENGTH');
    expectProtocolError(() => new Writer().appendString(null as unknown as string), 'INVALID_VALUE');
  });
});

describe('malformed input', () => {
  it.each([
    ['int32 of 3 bytes', '000000', (r: Reader) => r.readInt32()],
    ['int64 of 7 bytes', '00000000000000', (r: Reader) => r.readInt64()],
    ['string shorter than its length', '0005616263', (r: Reader) => r.readString()],
    ['unterminated varint', '8080', (r: Reader) => r.readUnsignedVarInt()],
    ['uuid of 15 bytes', '00'.repeat(15), (r: Reader) => r.readUuid()],
  ])('%s underflows or is rejected', (_name, hex, read) => {
    let error: unknown;
    try {
      read(new Reader(Buffer.from(hex, 'hex')));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect(['UNDERFLOW', 'INVALID_LENGTH']).toContain((error as ProtocolError).code);
  });

  it('rejects negative lengths other than -1 and counts beyond the input before allocating', () => {
    expectProtocolError(() => new Reader(Buffer.from('fffe', 'hex')).readNullableString(), 'INVALID_LENGTH');
    expectProtocolError(() => new Reader(Buffer.from('fffffffe', 'hex')).readNullableBytes(), 'INVALID_LENGTH');
    expectProtocolError(() => new Reader(Buffer.from('7fffffff00', 'hex')).readArray((r) => r.readInt8()), 'INVALID_LENGTH');
    expectProtocolError(() => new Reader(Buffer.from('ffffffff0f', 'hex')).readCompactArray((r) => r.readInt8()), 'INVALID_LENGTH');
  });

  it('skips unknown tagged fields and bounds known ones', () => {
    const bytes = Buffer.from('02' + '05' + '02' + 'abcd' + '07' + '01' + '2a' + 'ee', 'hex');
    const r = new Reader(bytes);
    const seen: Array<[number, number]> = [];
    r.readTaggedFields((tag, sub) => {
      if (tag === 7) seen.push([tag, sub.readInt8()]);
    });
    expect(seen).toEqual([[7, 42]]);
    expect(r.readUInt8()).toBe(0xee);
    expectProtocolError(() => new Reader(Buffer.from('010109', 'hex')).readTaggedFields(), 'INVALID_LENGTH');
  });
});

describe('Writer', () => {
  it('keeps large raw buffers by reference and still patches the size prefix', () => {
    const big = Buffer.alloc(64 * 1024, 7);
    const w = new Writer().appendInt32(0).appendRaw(big).appendInt8(1);
    w.setInt32(0, w.length - 4);
    const chunks = w.toChunks();
    expect(chunks).toContain(big);
    const whole = w.toBuffer();
    expect(whole.length).toBe(4 + big.length + 1);
    expect(whole.readInt32BE(0)).toBe(big.length + 1);
    expect(big[0]).toBe(7);
  });

  it('refuses to patch bytes it does not own', () => {
    const w = new Writer().appendRaw(Buffer.alloc(64 * 1024));
    expectProtocolError(() => w.setInt32(0, 1), 'INVALID_VALUE');
  });
});
