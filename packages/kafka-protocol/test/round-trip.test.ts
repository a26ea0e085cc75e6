import { describe, expect, it } from 'vitest';
import { Api, Reader, ZERO_UUID, type ApiDefinition, type FieldSpec } from '../src/index.ts';
import { inRange, parseVersions } from '../src/schema/field.ts';

/** Small deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Sample = Record<string, unknown>;

/** A value for every field present in `version`; absent fields are left out (the codec fills defaults). */
function sampleStruct(fields: readonly FieldSpec[], version: number, rnd: () => number, depth = 0): Sample {
  const out: Sample = {};
  for (const field of fields) {
    if (!inRange(parseVersions(field.versions), version)) continue;
    if (field.tagged && inRange(parseVersions(field.tagged), version) && rnd() < 0.3) continue;
    if (inRange(parseVersions(field.nullable), version) && field.type !== 'records' && rnd() < 0.2) {
      out[field.name] = null;
      continue;
    }
    if (field.array) {
      const n = depth > 3 ? 0 : Math.floor(rnd() * 3);
      out[field.name] = Array.from({ length: n }, () =>
        field.type === 'struct' ? sampleStruct(field.fields ?? [], version, rnd, depth + 1) : scalar(field.type, rnd),
      );
    } else if (field.type === 'struct') {
      out[field.name] = sampleStruct(field.fields ?? [], version, rnd, depth + 1);
    } else {
      out[field.name] = scalar(field.type, rnd);
    }
  }
  return out;
}

function scalar(type: FieldSpec['type'], rnd: () => number): unknown {
  const int = (bits: number) => Math.floor(rnd() * 2 ** bits) - 2 ** (bits - 1);
  switch (type) {
    case 'int8':
      return int(8);
    case 'int16':
      return int(16);
    case 'int32':
      return int(32);
    case 'uint16':
      return Math.floor(rnd() * 0x10000);
    case 'uint32':
      return Math.floor(rnd() * 0x100000000);
    case 'int64':
      return BigInt(int(32)) * 4294967296n + BigInt(Math.floor(rnd() * 4294967296));
    case 'float64':
      return rnd() * 1e6;
    case 'bool':
      return rnd() < 0.5;
    case 'string':
      return ['', 'topic-a', 'ünïcødé ✓', 'x'.repeat(200)][Math.floor(rnd() * 4)];
    case 'bytes':
    case 'records':
      return Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)));
    case 'uuid':
      return rnd() < 0.2 ? ZERO_UUID : '4f3c2a1b-9d8e-4c7b-a6f5-0e1d2c3b4a59';
    default:
      throw new Error(`no sample for ${type}`);
  }
}

function fieldNames(fields: readonly FieldSpec[]): string[] {
  return fields.map((f) => f.name);
}

function roundTrip(
  api: ApiDefinition,
  version: number,
  fields: readonly FieldSpec[],
  encode: (v: number, body: unknown) => Buffer,
  decode: (v: number, r: Reader) => Sample,
  seed: number,
): void {
  const sample = sampleStruct(fields, version, random(seed));
  const bytes = encode(version, sample);
  const reader = new Reader(bytes);
  const decoded = decode(version, reader);
  expect(reader.remaining, `${api.name} v${version} leaves no bytes`).toBe(0);
  expect(decoded).toMatchObject(sample);
  expect(Object.keys(decoded).sort()).toEqual(fieldNames(fields).sort());
  expect(encode(version, decoded).equals(bytes), `${api.name} v${version} re-encodes identically`).toBe(true);
}

describe.each(Object.values(Api).map((api) => [api.name, api] as const))('%s', (_name, api: ApiDefinition) => {
  const versions = Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => api.minVersion + i);
  it.each(versions)('v%i request and response round-trip', (version) => {
    for (let seed = 1; seed <= 8; seed++) {
      roundTrip(api, version, api.requestFields, api.encodeRequest, api.decodeRequest, seed * 7919 + version);
      roundTrip(api, version, api.responseFields, api.encodeResponse, api.decodeResponse, seed * 104729 + version);
    }
  });

  it('rejects versions outside its range', () => {
    expect(() => api.encodeRequest(api.maxVersion + 1, {})).toThrow(/not supported/);
    expect(() => api.decodeResponse(api.minVersion - 1, new Reader(Buffer.alloc(0)))).toThrow(/not supported/);
  });
});
