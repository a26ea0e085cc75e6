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

/*
 * Snappy: librdkafka writes raw snappy blocks; the Java client writes xerial's framing
 * (a 16-byte header, then [int32 length, snappy block]*). Both are read; raw is written, which
 * xerial's reader (and so the Java consumer) also accepts.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;

function snappyCodec(): CompressionCodec {
  const snappy = require('snappy') as typeof import('snappy');
  const uncompress = (block: Buffer): Buffer => snappy.uncompressSync(block, { asBuffer: true }) as Buffer;
  return {
    compress: (data) => snappy.compressSync(data),
    decompress: (data) => {
      if (data.length < XERIAL_HEADER_SIZE || !data.subarray(0, 8).equals(XERIAL_MAGIC)) return uncompress(data);
      const blocks: Buffer[] = [];
      let offset = XERIAL_HEADER_SIZE;
      while (offset < data.length) {
        if (offset + 4 > data.length) throw new ProtocolError('CORRUPT_RECORD', 'truncated xerial snappy block length');
        const size = data.readInt32BE(offset);
        offset += 4;
        if (size < 0 || offset + size > data.length) throw new ProtocolError('CORRUPT_RECORD', `xerial snappy block of ${size} bytes overruns the batch`);
        blocks.push(uncompress(data.subarray(offset, offset + size)));
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
    decompress: (data) => lz4.decompressFrameSync(data),
  };
}

function zstdCodec(): CompressionCodec {
  const zstd = require('zstd-napi') as typeof import('zstd-napi');
  return {
    compress: (data) => zstd.compress(data),
    decompress: (data) => zstd.decompress(data),
  };
}

const loaders: Record<number, () => CompressionCodec> = {
  [CompressionType.None]: () => ({ compress: (data) => data, decompress: (data) => data }),
  [CompressionType.Gzip]: () => ({ compress: (data) => gzipSync(data), decompress: (data) => gunzipSync(data) }),
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
