import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type NativeCrc32c = (data: Buffer, initial: number) => number;
// Loaded on first use: the native library costs an idle broker ~10 MB of resident memory it needs
// only once records flow.
let native: NativeCrc32c | undefined;

/** CRC32C (Castagnoli), as record batch v2 uses. Native (SSE4.2) through @node-rs/crc32. */
export function crc32c(data: Uint8Array, initial = 0): number {
  native ??= (require('@node-rs/crc32') as typeof import('@node-rs/crc32')).crc32c;
  return native(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), initial) >>> 0;
}
