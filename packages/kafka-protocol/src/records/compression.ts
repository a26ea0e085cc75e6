import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ProtocolError } from '../primitives/protocol-error.ts';

/** The codec ids in the low three bits of a record batch's attributes. */
export const CompressionType = {
  None: 0,
  Gzip: 1,
  Snappy: 2,
  Lz4: 3,
  Zstd: 4,
} as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export interface CompressionCodec {
  compress(data: Buffer): Buffer;
  decompress(data: Buffer): Buffer;
}

const require = createRequire(import.meta.url);

/**
 * Upper bound on one batch's decompressed size. A few hostile bytes can declare gigabytes (gzip
 * bombs, zstd and snappy length headers); past this the batch is refused as corrupt instead.
 */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

function tooLarge(size: number | bigint): ProtocolError {
  return new ProtocolError('CORRUPT_RECORD', `batch declares ${size} decompressed bytes, more than ${MAX_DECOMPRESSED_BYTES}`);
}

/** The uncompressed length a raw snappy block starts with (an unsigned varint). */
function snappyLength(block: Buffer): number {
  let value = 0;
  for (let i = 0; i < Math.min(5, block.length); i++) {
    value += (block[i] & 0x7f) * 2 ** (7 * i);
    if ((block[i] & 0x80) === 0) return value;
  }
  throw new ProtocolError('CORRUPT_RECORD', 'snappy block without a valid length header');
}

/*
 * Snappy: librdkafka writes raw snappy blocks; the Java client writes xerial's framing
 * (a 16-byte header, then [int32 length, snappy block]*). Both are read; raw is written, which
 * xerial's reader (and so the Java consumer) also accepts.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;

function snappyCodec(): CompressionCodec {
  const snappy = require('snappy') as typeof import('snappy');
  const uncompress = (block: Buffer): Buffer => {
    const length = snappyLength(block);
    if (length > MAX_DECOMPRESSED_BYTES) throw tooLarge(length);
    return snappy.uncompressSync(block, { asBuffer: true }) as Buffer;
  };
  return {
    compress: (data) => snappy.compressSync(data),
    decompress: (data) => {
      if (data.length < XERIAL_HEADER_SIZE || !data.subarray(0, 8).equals(XERIAL_MAGIC)) return uncompress(data);
      const blocks: Buffer[] = [];
      let total = 0;
      let offset = XERIAL_HEADER_SIZE;
      while (offset < data.length) {
        if (offset + 4 > data.length) throw new ProtocolError('CORRUPT_RECORD', 'truncated xerial snappy block length');
        const size = data.readInt32BE(offset);
        offset += 4;
        if (size < 0 || offset + size > data.length) throw new ProtocolError('CORRUPT_RECORD', `xerial snappy block of ${size} bytes overruns the batch`);
        const block = uncompress(data.subarray(offset, offset + size));
        total += block.length;
        if (total > MAX_DECOMPRESSED_BYTES) throw tooLarge(total);
        blocks.push(block);
        offset += size;
      }
      return Buffer.concat(blocks);
    },
  };
}

/** LZ4 in Kafka is the LZ4 frame format (independent blocks, header checksum as in the spec). */
function lz4Codec(): CompressionCodec {
  const lz4 = require('lz4-napi') as typeof import('lz4-napi');
  return {
    compress: (data) => lz4.compressFrameSync(data),
    decompress: (data) => {
      const out = lz4.decompressFrameSync(data);
      if (out.length > MAX_DECOMPRESSED_BYTES) throw tooLarge(out.length);
      return out;
    },
  };
}

function zstdCodec(): CompressionCodec {
  const zstd = require('zstd-napi') as typeof import('zstd-napi');
  const binding = require('zstd-napi/binding') as {
    getFrameContentSize(frame: Uint8Array): number | null;
    findFrameCompressedSize(frame: Uint8Array): number;
  };
  return {
    compress: (data) => zstd.compress(data),
    decompress: (data) => {
      // zstd-napi allocates whatever the frame headers declare, so add them up first.
      let declared = 0;
      for (let frame = data; frame.length > 0; frame = frame.subarray(binding.findFrameCompressedSize(frame))) {
        const size = binding.getFrameContentSize(frame);
        if (size === null) break;
        declared += size;
        if (declared > MAX_DECOMPRESSED_BYTES) throw tooLarge(declared);
      }
      const out = zstd.decompress(data);
      if (out.length > MAX_DECOMPRESSED_BYTES) throw tooLarge(out.length);
      return out;
    },
  };
}

const loaders: Record<number, () => CompressionCodec> = {
  [CompressionType.None]: () => ({ compress: (data) => data, decompress: (data) => data }),
  [CompressionType.Gzip]: () => ({
    compress: (data) => gzipSync(data),
    decompress: (data) => gunzipSync(data, { maxOutputLength: MAX_DECOMPRESSED_BYTES }),
  }),
  [CompressionType.Snappy]: snappyCodec,
  [CompressionType.Lz4]: lz4Codec,
  [CompressionType.Zstd]: zstdCodec,
};

const loaded = new Map<number, CompressionCodec>();

/**
 * The codec for a compression type. Native codecs load on first use, so a platform without one
 * of them still decodes everything else, and says which codec it lacks when asked for it.
 */
export function compressionCodec(type: number): CompressionCodec {
  let codec = loaded.get(type);
  if (codec) return codec;
  const load = loaders[type];
  if (!load) throw new ProtocolError('CORRUPT_RECORD', `unknown compression type ${type}`);
  try {
    codec = load();
  } catch (err) {
    throw new ProtocolError('CORRUPT_RECORD', `compression type ${type} is unavailable: ${(err as Error).message}`);
  }
  loaded.set(type, codec);
  return codec;
}
