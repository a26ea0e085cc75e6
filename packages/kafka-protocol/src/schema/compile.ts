import { ProtocolError } from '../primitives/protocol-error.ts';
import type { Reader } from '../primitives/reader.ts';
import { ZERO_UUID } from '../primitives/uuid.ts';
import { Writer } from '../primitives/writer.ts';
import { inRange, parseVersions, type FieldSpec, type ScalarType } from './field.ts';

type Value = any;

const EMPTY = Buffer.alloc(0);
type Obj = Record<string, Value>;

/** Reads and writes one value of a field, with the field's version, nullability and flexibility resolved. */
interface Codec {
  read(reader: Reader): Value;
  write(writer: Writer, value: Value): void;
}

export interface StructCodec extends Codec {
  read(reader: Reader): Obj;
  /** An object holding every field's default for this version. */
  empty(): Obj;
}

interface AbsentField {
  name: string;
  fallback: () => Value;
}

interface CompiledField extends AbsentField {
  codec: Codec;
}

interface TaggedField extends CompiledField {
  tag: number;
  isDefault: (value: Value) => boolean;
}

function scalarCodec(type: ScalarType, flexible: boolean, nullable: boolean): Codec {
  switch (type) {
    case 'int8':
      return { read: (r) => r.readInt8(), write: (w, v) => w.appendInt8(v) };
    case 'int16':
      return { read: (r) => r.readInt16(), write: (w, v) => w.appendInt16(v) };
    case 'int32':
      return { read: (r) => r.readInt32(), write: (w, v) => w.appendInt32(v) };
    case 'int64':
      return { read: (r) => r.readInt64(), write: (w, v) => w.appendInt64(v) };
    case 'uint16':
      return { read: (r) => r.readUInt16(), write: (w, v) => w.appendUInt16(v) };
    case 'uint32':
      return { read: (r) => r.readUInt32(), write: (w, v) => w.appendUInt32(v) };
    case 'float64':
      return { read: (r) => r.readFloat64(), write: (w, v) => w.appendFloat64(v) };
    case 'bool':
      return { read: (r) => r.readBoolean(), write: (w, v) => w.appendBoolean(v) };
    case 'uuid':
      return { read: (r) => r.readUuid(), write: (w, v) => w.appendUuid(v) };
    case 'string':
      if (flexible) {
        return nullable
          ? { read: (r) => r.readCompactNullableString(), write: (w, v) => w.appendCompactNullableString(v) }
          : { read: (r) => r.readCompactString(), write: (w, v) => w.appendCompactString(v) };
      }
      return nullable
        ? { read: (r) => r.readNullableString(), write: (w, v) => w.appendNullableString(v) }
        : { read: (r) => r.readString(), write: (w, v) => w.appendString(v) };
    case 'records':
      // Null record sets are read, but written as empty ones: Kafka itself never sends null, and
      // librdkafka rejects a Fetch partition whose record set size is -1.
      return flexible
        ? { read: (r) => r.readCompactNullableBytes(), write: (w, v) => w.appendCompactBytes(v ?? EMPTY) }
        : { read: (r) => r.readNullableBytes(), write: (w, v) => w.appendBytes(v ?? EMPTY) };
    case 'bytes':
      if (flexible) {
        return nullable
          ? { read: (r) => r.readCompactNullableBytes(), write: (w, v) => w.appendCompactNullableBytes(v) }
          : { read: (r) => r.readCompactBytes(), write: (w, v) => w.appendCompactBytes(v) };
      }
      return nullable
        ? { read: (r) => r.readNullableBytes(), write: (w, v) => w.appendNullableBytes(v) }
        : { read: (r) => r.readBytes(), write: (w, v) => w.appendBytes(v) };
  }
}

function arrayCodec(item: Codec, flexible: boolean, nullable: boolean): Codec {
  const readItem = (r: Reader) => item.read(r);
  const writeItem = (w: Writer, v: Value) => item.write(w, v);
  if (flexible) {
    return nullable
      ? { read: (r) => r.readCompactNullableArray(readItem), write: (w, v) => w.appendCompactNullableArray(v, writeItem) }
      : { read: (r) => r.readCompactArray(readItem), write: (w, v) => w.appendCompactArray(v, writeItem) };
  }
  return nullable
    ? { read: (r) => r.readNullableArray(readItem), write: (w, v) => w.appendNullableArray(v, writeItem) }
    : { read: (r) => r.readArray(readItem), write: (w, v) => w.appendArray(v, writeItem) };
}

/** Kafka encodes a nullable struct with a leading int8: -1 for null, 1 for present. */
function nullableStructCodec(struct: StructCodec): Codec {
  return {
    read: (r) => (r.readInt8() < 0 ? null : struct.read(r)),
    write: (w, v) => {
      if (v == null) {
        w.appendInt8(-1);
      } else {
        w.appendInt8(1);
        struct.write(w, v);
      }
    },
  };
}

function scalarDefault(field: FieldSpec): () => Value {
  if (field.default !== undefined) {
    const value = field.default;
    return () => value;
  }
  switch (field.type) {
    case 'int64':
      return () => 0n;
    case 'bool':
      return () => false;
    case 'string':
      return () => '';
    case 'bytes':
      return () => Buffer.alloc(0);
    case 'records':
      return () => null;
    case 'uuid':
      return () => ZERO_UUID;
    default:
      return () => 0;
  }
}

function fieldDefault(field: FieldSpec, version: number, flexible: boolean): () => Value {
  if (field.array) return field.default === null ? () => null : () => [];
  if (field.type === 'struct') {
    if (field.default === null) return () => null;
    const struct = compileStruct(field.fields ?? [], version, flexible);
    return () => struct.empty();
  }
  return scalarDefault(field);
}

/** Tagged fields equal to their default are left off the wire, as Kafka does. */
function isDefaultValue(fallback: () => Value): (value: Value) => boolean {
  const reference = fallback();
  return (value) => sameValue(value, reference);
}

function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  const keys = Object.keys(b);
  return keys.every((key) => a[key] === undefined || sameValue(a[key], b[key]));
}

function fieldCodec(field: FieldSpec, version: number, flexible: boolean): Codec {
  const nullable = inRange(parseVersions(field.nullable), version);
  if (field.type === 'struct') {
    const struct = compileStruct(field.fields ?? [], version, flexible);
    if (field.array) return arrayCodec(struct, flexible, nullable);
    return nullable ? nullableStructCodec(struct) : struct;
  }
  if (field.array) return arrayCodec(scalarCodec(field.type, flexible, false), flexible, nullable);
  return scalarCodec(field.type, flexible, nullable);
}

/** Builds the reader/writer of one struct (or a whole message body) for one version. */
export function compileStruct(fields: readonly FieldSpec[], version: number, flexible: boolean): StructCodec {
  const regular: CompiledField[] = [];
  const tagged = new Map<number, TaggedField>();
  const absent: AbsentField[] = [];

  for (const field of fields) {
    const fallback = fieldDefault(field, version, flexible);
    if (!inRange(parseVersions(field.versions), version)) {
      absent.push({ name: field.name, fallback });
      continue;
    }
    const codec = fieldCodec(field, version, flexible);
    if (flexible && field.tag !== undefined && inRange(parseVersions(field.tagged), version)) {
      tagged.set(field.tag, { name: field.name, codec, fallback, tag: field.tag, isDefault: isDefaultValue(fallback) });
    } else {
      regular.push({ name: field.name, codec, fallback });
    }
  }
  const taggedList = [...tagged.values()].sort((a, b) => a.tag - b.tag);

  const empty = (): Obj => {
    const out: Obj = {};
    for (const f of regular) out[f.name] = f.fallback();
    for (const f of taggedList) out[f.name] = f.fallback();
    for (const f of absent) out[f.name] = f.fallback();
    return out;
  };

  const read = (reader: Reader): Obj => {
    const out: Obj = {};
    for (const f of regular) out[f.name] = f.codec.read(reader);
    if (flexible) {
      for (const f of taggedList) out[f.name] = f.fallback();
      reader.readTaggedFields((tag, sub) => {
        const f = tagged.get(tag);
        if (f) out[f.name] = f.codec.read(sub);
      });
    }
    for (const f of absent) out[f.name] = f.fallback();
    return out;
  };

  const write = (writer: Writer, value: Obj): void => {
    if (value === null || typeof value !== 'object') {
      throw new ProtocolError('INVALID_VALUE', `expected an object, got ${value === null ? 'null' : typeof value}`);
    }
    for (const f of regular) {
      const v = value[f.name];
      try {
        f.codec.write(writer, v === undefined ? f.fallback() : v);
      } catch (err) {
        throw withPath(err, f.name);
      }
    }
    if (!flexible) return;
    const present = taggedList.filter((f) => value[f.name] !== undefined && !f.isDefault(value[f.name]));
    writer.appendUnsignedVarInt(present.length);
    for (const f of present) {
      const sub = new Writer(64);
      try {
        f.codec.write(sub, value[f.name]);
      } catch (err) {
        throw withPath(err, f.name);
      }
      writer.appendUnsignedVarInt(f.tag).appendUnsignedVarInt(sub.length).appendWriter(sub);
    }
  };

  return { read, write, empty };
}

/** Prefixes an encode error with the field path, so the message says where ("topicData.partitionData.records: ..."). */
function withPath(err: unknown, name: string): unknown {
  if (err instanceof ProtocolError) return new ProtocolError(err.code, err.detail, [name, ...err.path]);
  if (err instanceof RangeError || err instanceof TypeError) return new ProtocolError('INVALID_VALUE', err.message, [name]);
  return err;
}
