import { ProtocolError } from '../primitives/protocol-error.ts';
import { uuidToBytes } from '../primitives/uuid.ts';
import { Writer } from '../primitives/writer.ts';
import { compileStruct } from './compile.ts';
import { inRange, parseVersions, type FieldSpec } from './field.ts';

/** Record sets at least this large travel as their own buffer, referenced rather than copied. */
const REFERENCED_RECORDS_BYTES = 4096;
const EMPTY = Buffer.alloc(0);

type Value = any;

/**
 * Where an encoding is written: one buffer sized beforehand for everything but the referenced
 * record sets, cut into chunks around them.
 */
class Output {
  readonly buf: Buffer;
  pos = 0;
  #cut = 0;
  readonly chunks: Buffer[] = [];

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reference(data: Buffer): void {
    if (this.pos > this.#cut) this.chunks.push(this.buf.subarray(this.#cut, this.pos));
    this.chunks.push(data);
    this.#cut = this.pos;
  }

  finish(): Buffer[] {
    if (this.pos > this.#cut) this.chunks.push(this.buf.subarray(this.#cut, this.pos));
    return this.chunks;
  }
}

/** A field (or struct) of one version: its byte count outside referenced record sets, then its bytes. */
interface Encoder {
  size(value: Value): number;
  write(out: Output, value: Value): void;
}

function varIntSize(value: number): number {
  let size = 1;
  for (let v = value >>> 0; v >= 0x80; v >>>= 7) size++;
  return size;
}

function writeVarInt(out: Output, value: number): void {
  let v = value >>> 0;
  while (v >= 0x80) {
    out.buf[out.pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out.buf[out.pos++] = v;
}

/** Bytes the generic codec produces, copied in: for tagged-field sections and types without a fast path here. */
function copied(encode: (value: Value) => Buffer): Encoder {
  return {
    size: (value) => encode(value).length,
    write: (out, value) => {
      out.pos += encode(value).copy(out.buf, out.pos);
    },
  };
}

/** The generic codec's encoding of one field alone. */
function genericField(field: FieldSpec, version: number, flexible: boolean): Encoder {
  const struct = compileStruct([{ ...field, tagged: undefined, tag: undefined }], version, flexible);
  return copied((value) => {
    const writer = new Writer(64);
    struct.write(writer, { [field.name]: value });
    const buf = writer.toBuffer();
    // A flexible struct ends with its tagged-field section, here the empty one (one byte).
    return flexible ? buf.subarray(0, buf.length - 1) : buf;
  });
}

function fixed(size: number, write: (out: Output, value: Value) => void): Encoder {
  return { size: () => size, write };
}

function scalar(field: FieldSpec, version: number, flexible: boolean, nullable: boolean): Encoder {
  switch (field.type) {
    case 'int8':
      return fixed(1, (out, v) => (out.pos = out.buf.writeInt8(v, out.pos)));
    case 'int16':
      return fixed(2, (out, v) => (out.pos = out.buf.writeInt16BE(v, out.pos)));
    case 'int32':
      return fixed(4, (out, v) => (out.pos = out.buf.writeInt32BE(v, out.pos)));
    case 'int64':
      return fixed(8, (out, v: bigint) => {
        if (typeof v !== 'bigint') throw new ProtocolError('INVALID_VALUE', `int64 must be a bigint, got ${typeof v}`);
        out.pos = out.buf.writeBigInt64BE(BigInt.asIntN(64, v), out.pos);
      });
    case 'uuid':
      return fixed(16, (out, v: string) => (out.pos += uuidToBytes(v).copy(out.buf, out.pos)));
    case 'string':
      if (nullable) break;
      return {
        size: (v: string) => {
          const length = Buffer.byteLength(v);
          return flexible ? varIntSize(length + 1) + length : 2 + length;
        },
        write: (out, v: string) => {
          const length = Buffer.byteLength(v);
          if (flexible) writeVarInt(out, length + 1);
          else out.pos = out.buf.writeInt16BE(length, out.pos);
          out.pos += out.buf.write(v, out.pos, 'utf8');
        },
      };
    case 'records':
      // As the generic codec: a null record set is written as an empty one.
      return {
        size: (v: Buffer | null) => {
          const length = v?.length ?? 0;
          const prefix = flexible ? varIntSize(length + 1) : 4;
          return prefix + (length >= REFERENCED_RECORDS_BYTES ? 0 : length);
        },
        write: (out, v: Buffer | null) => {
          const data = v ?? EMPTY;
          if (flexible) writeVarInt(out, data.length + 1);
          else out.pos = out.buf.writeInt32BE(data.length, out.pos);
          if (data.length >= REFERENCED_RECORDS_BYTES) out.reference(data);
          else out.pos += data.copy(out.buf, out.pos);
        },
      };
  }
  return genericField(field, version, flexible);
}

function structArray(item: Encoder, flexible: boolean, nullable: boolean): Encoder {
  const prefixSize = (items: Value[] | null) => (flexible ? varIntSize(items === null ? 0 : items.length + 1) : 4);
  return {
    size: (items: Value[] | null) => {
      if (items === null && !nullable) throw new ProtocolError('INVALID_VALUE', 'array must not be null');
      let size = prefixSize(items);
      if (items) for (const v of items) size += item.size(v);
      return size;
    },
    write: (out, items: Value[] | null) => {
      if (flexible) writeVarInt(out, items === null ? 0 : items.length + 1);
      else out.pos = out.buf.writeInt32BE(items === null ? -1 : items.length, out.pos);
      if (items) for (const v of items) item.write(out, v);
    },
  };
}

interface CompiledField {
  name: string;
  fallback: () => Value;
  encoder: Encoder;
}

/**
 * The encoder of a struct for one version, from the same field table the generic codec runs.
 * Tagged fields go to the generic codec (which leaves defaults off): they are rare, and a section
 * with none set is the single byte 0.
 */
function compileStructEncoder(fields: readonly FieldSpec[], version: number, flexible: boolean): Encoder {
  const regular: CompiledField[] = [];
  const taggedFields: FieldSpec[] = [];
  const fallbacks = compileStruct(fields, version, flexible).empty();
  for (const field of fields) {
    if (!inRange(parseVersions(field.versions), version)) continue;
    if (flexible && field.tag !== undefined && inRange(parseVersions(field.tagged), version)) {
      taggedFields.push(field);
      continue;
    }
    const fallbackValue = fallbacks[field.name];
    regular.push({ name: field.name, fallback: () => fallbackValue, encoder: fieldEncoder(field, version, flexible) });
  }
  const taggedNames = taggedFields.map((f) => f.name);
  const tagged = taggedFields.length > 0 ? compileStruct(taggedFields, version, true) : null;
  const noneTagged = (value: Value) => taggedNames.every((name) => value[name] === undefined);
  let taggedEncoder: Encoder | null = null;
  if (tagged) {
    const section = copied((value) => {
      const writer = new Writer(64);
      tagged.write(writer, value);
      return writer.toBuffer();
    });
    taggedEncoder = {
      size: (value) => (noneTagged(value) ? 1 : section.size(value)),
      write: (out, value) => (noneTagged(value) ? void (out.buf[out.pos++] = 0) : section.write(out, value)),
    };
  } else if (flexible) {
    taggedEncoder = fixed(1, (out) => void (out.buf[out.pos++] = 0));
  }
  return {
    size: (value: Value) => {
      if (value === null || typeof value !== 'object') {
        throw new ProtocolError('INVALID_VALUE', `expected an object, got ${value === null ? 'null' : typeof value}`);
      }
      let size = 0;
      for (const f of regular) {
        const v = value[f.name];
        size += f.encoder.size(v === undefined ? f.fallback() : v);
      }
      return taggedEncoder ? size + taggedEncoder.size(value) : size;
    },
    write: (out, value: Value) => {
      for (const f of regular) {
        const v = value[f.name];
        f.encoder.write(out, v === undefined ? f.fallback() : v);
      }
      taggedEncoder?.write(out, value);
    },
  };
}

function fieldEncoder(field: FieldSpec, version: number, flexible: boolean): Encoder {
  const nullable = inRange(parseVersions(field.nullable), version);
  if (field.type === 'struct' && field.array) return structArray(compileStructEncoder(field.fields ?? [], version, flexible), flexible, nullable);
  if (field.type !== 'struct' && !field.array) return scalar(field, version, flexible, nullable);
  return genericField(field, version, flexible);
}

/** A whole frame from its header bytes (size prefix first, left 0) and a message body, as chunks. */
export type FrameEncoder = (head: Buffer, body: Value) => Buffer[];

/**
 * Compiles the encoder of frames whose body's record sets stay separate buffers. The bytes equal
 * those of the generic codec (`compileStruct(fields, version, flexible).write` after the header),
 * built from the same field table, but in one buffer sized by a first pass rather than a growing
 * one, without its per-field bookkeeping, and with every record set of 4 KiB or more referenced.
 */
export function compileFrameEncoder(fields: readonly FieldSpec[], version: number, flexible: boolean): FrameEncoder {
  const struct = compileStructEncoder(fields, version, flexible);
  return (head, body) => {
    const out = new Output(head.length + struct.size(body));
    out.pos += head.copy(out.buf, 0);
    struct.write(out, body);
    const chunks = out.finish();
    out.buf.writeInt32BE(chunks.reduce((sum, chunk) => sum + chunk.length, 0) - 4, 0);
    return chunks;
  };
}
