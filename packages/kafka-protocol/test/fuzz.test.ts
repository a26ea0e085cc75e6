import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompressionType,
  ProtocolError,
  apiByKey,
  compressionCodec,
  decodeRecordBatch,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRecordBatch,
} from '../src/index.ts';

const root = join(import.meta.dirname, 'fixtures');
const fixtures = readdirSync(root).flatMap((dir) =>
  readdirSync(join(root, dir)).map((f) => JSON.parse(readFileSync(join(root, dir, f), 'utf8')) as { apiKey: number; apiVersion: number; request: string; response: string | null }),
);

/** Runs `fn` and accepts success or a ProtocolError; anything else (RangeError, TypeError, ...) fails. */
function onlyProtocolErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
}

const mutation = (length: number) =>
  fc.record({
    cut: fc.integer({ min: 0, max: length }),
    flips: fc.array(fc.record({ at: fc.nat(Math.max(0, length - 1)), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
  });

function mutate(bytes: Buffer, m: { cut: number; flips: Array<{ at: number; value: number }> }): Buffer {
  const copy = Buffer.from(bytes.subarray(0, m.cut));
  for (const { at, value } of m.flips) if (at < copy.length) copy[at] = value;
  return copy;
}

describe('malformed frames raise ProtocolError, never anything else', () => {
  it('mutated and truncated client requests', () => {
    for (const fixture of fixtures) {
      const frame = Buffer.from(fixture.request, 'hex');
      fc.assert(
        fc.property(mutation(frame.length), (m) => onlyProtocolErrors(() => decodeRequestFrame(mutate(frame, m)))),
        { numRuns: 150, seed: 42 },
      );
    }
  });

  it('mutated and truncated responses', () => {
    for (const fixture of fixtures.filter((f) => f.response)) {
      const frame = Buffer.from(fixture.response!, 'hex');
      const api = apiByKey.get(fixture.apiKey)!;
      fc.assert(
        fc.property(mutation(frame.length), (m) => onlyProtocolErrors(() => decodeResponseFrame(api, fixture.apiVersion, mutate(frame, m)))),
        { numRuns: 100, seed: 7 },
      );
    }
  });

  it('random bytes after a valid header of every API and version', () => {
    const headers = [...apiByKey.values()].flatMap((api) =>
      Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => {
        const version = api.minVersion + i;
        const h = Buffer.alloc(11);
        h.writeInt16BE(api.key, 0);
        h.writeInt16BE(version, 2);
        h.writeInt32BE(1, 4);
        h.writeInt16BE(-1, 8);
        return version >= api.flexibleFrom ? h : h.subarray(0, 10);
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...headers), fc.uint8Array({ maxLength: 64 }), (header, body) =>
        onlyProtocolErrors(() => decodeRequestFrame(Buffer.concat([header, Buffer.from(body)]))),
      ),
      { numRuns: 2000, seed: 3 },
    );
  });

  it('mutated record batches, compressed or not', () => {
    for (const compression of Object.values(CompressionType)) {
      const batch = encodeRecordBatch({
        compression,
        records: Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `value ${i} `.repeat(10), headers: [{ key: 'h', value: 'v' }], timestamp: BigInt(i) })),
      });
      fc.assert(
        fc.property(mutation(batch.length), (m) => onlyProtocolErrors(() => decodeRecordBatch(mutate(batch, m), 0, { verifyCrc: false }))),
        { numRuns: 150, seed: 11 },
      );
    }
  });
});

describe('decompression bombs', () => {
  it('refuses zstd and snappy headers that declare more than the limit, before allocating', () => {
    const zstdFrame = Buffer.concat([Buffer.from('28b52ffde0', 'hex'), Buffer.alloc(8), Buffer.from('010000', 'hex')]);
    zstdFrame.writeBigUInt64LE(2n ** 33n, 5);
    expect(() => compressionCodec(CompressionType.Zstd).decompress(zstdFrame)).toThrow(/more than/);
    const snappyBlock = Buffer.from('ffffffff0f00', 'hex');
    expect(() => compressionCodec(CompressionType.Snappy).decompress(snappyBlock)).toThrow(/more than/);
  });
});
