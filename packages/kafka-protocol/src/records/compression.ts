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

const codecs = new Map<number, CompressionCodec>([
  [CompressionType.None, { compress: (data) => data, decompress: (data) => data }],
  [CompressionType.Gzip, { compress: (data) => gzipSync(data), decompress: (data) => gunzipSync(data) }],
]);

export function compressionCodec(type: number): CompressionCodec {
  const codec = codecs.get(type);
  if (!codec) throw new ProtocolError('CORRUPT_RECORD', `compression type ${type} is not supported`);
  return codec;
}
