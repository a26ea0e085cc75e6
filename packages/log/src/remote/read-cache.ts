import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '@fjord/object-store';

export interface ReadCacheOptions {
  /** Bytes of chunks kept on disk; the least recently used go first. */
  maxBytes: number;
  /** Remote objects are fetched and cached in chunks of this size (the unit of read-ahead). */
  chunkBytes?: number;
  /** Chunks also kept in memory, so header scans do not touch the disk. */
  memoryChunks?: number;
}

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
const DEFAULT_MEMORY_CHUNKS = 4;
/** Chunks fetched ahead of a read's last one. */
const READ_AHEAD_CHUNKS = 2;

interface DiskChunk {
  path: string;
  size: number;
}

/**
 * A small on-disk cache of remote segment bytes, shared by every partition of a broker. Objects are
 * read in fixed chunks through range reads; a read that ends in chunk i fetches chunk i+1 in the
 * background, so a sequential consumer rarely waits on the store. Remote objects never change
 * under a key while cached (a key is forgotten when its segment is deleted), so no validation is needed.
 * The cache starts empty: what it held before a restart is discarded.
 */
export class RemoteReadCache {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #chunkBytes: number;
  readonly #memoryChunks: number;
  /** Insertion order is recency order: a hit re-inserts. */
  readonly #disk = new Map<string, DiskChunk>();
  readonly #memory = new Map<string, Buffer>();
  readonly #inflight = new Map<string, Promise<Buffer>>();
  #diskBytes = 0;
  #fetches = 0;
  /** Disk writes run beside the reads that caused them, one after another. */
  #writes: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(dir: string, options: ReadCacheOptions) {
    this.#dir = dir;
    this.#maxBytes = options.maxBytes;
    this.#chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.#memoryChunks = options.memoryChunks ?? DEFAULT_MEMORY_CHUNKS;
  }

  static async open(dir: string, options: ReadCacheOptions): Promise<RemoteReadCache> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return new RemoteReadCache(dir, options);
  }

  /** Bytes of chunks on disk now (never above maxBytes once a write completes). */
  get diskBytes(): number {
    return this.#diskBytes;
  }

  /** Resolves once the chunks read so far are on disk. */
  async settled(): Promise<void> {
    await this.#writes;
  }

  /** Waits for pending disk writes; chunks fetched afterwards are no longer written. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#writes;
  }

  /** Range reads sent to the store so far. */
  get fetches(): number {
    return this.#fetches;
  }

  /** Bytes [start, end) of the object `key` of `objectSize` bytes, cut at its end. */
  async read(store: ObjectStore, key: string, objectSize: number, start: number, end: number): Promise<Buffer> {
    const stop = Math.min(end, objectSize);
    if (start >= stop) return Buffer.alloc(0);
    const first = Math.floor(start / this.#chunkBytes);
    const last = Math.floor((stop - 1) / this.#chunkBytes);
    const parts: Buffer[] = [];
    for (let index = first; index <= last; index++) {
      const chunk = await this.#chunk(store, key, objectSize, index);
      const chunkStart = index * this.#chunkBytes;
      parts.push(chunk.subarray(Math.max(0, start - chunkStart), Math.min(chunk.length, stop - chunkStart)));
    }
    for (let ahead = last + 1; ahead <= last + READ_AHEAD_CHUNKS && ahead * this.#chunkBytes < objectSize; ahead++) {
      this.#chunk(store, key, objectSize, ahead).catch(() => undefined);
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** Drops every chunk of `key` (its segment was deleted). */
  async forget(key: string): Promise<void> {
    await this.#writes;
    const prefix = `${hashKey(key)}-`;
    for (const id of [...this.#memory.keys()]) if (id.startsWith(prefix)) this.#memory.delete(id);
    for (const [id, chunk] of [...this.#disk]) {
      if (!id.startsWith(prefix)) continue;
      this.#disk.delete(id);
      this.#diskBytes -= chunk.size;
      await rm(chunk.path, { force: true });
    }
  }

  #chunk(store: ObjectStore, key: string, objectSize: number, index: number): Promise<Buffer> {
    const id = `${hashKey(key)}-${index}`;
    const hot = this.#memory.get(id);
    if (hot) {
      this.#memory.delete(id);
      this.#memory.set(id, hot);
      return Promise.resolve(hot);
    }
    const pending = this.#inflight.get(id);
    if (pending) return pending;
    const load = this.#load(store, key, objectSize, index, id).finally(() => this.#inflight.delete(id));
    this.#inflight.set(id, load);
    return load;
  }

  async #load(store: ObjectStore, key: string, objectSize: number, index: number, id: string): Promise<Buffer> {
    const cached = this.#disk.get(id);
    let bytes: Buffer | null = null;
    if (cached) {
      bytes = await readFile(cached.path).catch(() => null);
      if (bytes) {
        this.#disk.delete(id);
        this.#disk.set(id, cached);
      }
    }
    if (!bytes) {
      const start = index * this.#chunkBytes;
      const endInclusive = Math.min(objectSize, start + this.#chunkBytes) - 1;
      this.#fetches++;
      bytes = await store.getRange(key, start, endInclusive);
      const fetched = bytes;
      // A failed cache write only costs a later fetch.
      this.#writes = this.#writes.then(() => this.#store(id, fetched)).catch(() => undefined);
    }
    this.#memory.set(id, bytes);
    while (this.#memory.size > this.#memoryChunks) this.#memory.delete(this.#memory.keys().next().value!);
    return bytes;
  }

  async #store(id: string, bytes: Buffer): Promise<void> {
    if (this.#closed || bytes.length > this.#maxBytes) return;
    const path = join(this.#dir, id);
    const staged = `${path}.tmp`;
    await writeFile(staged, bytes);
    await rename(staged, path);
    const previous = this.#disk.get(id);
    if (previous) this.#diskBytes -= previous.size;
    this.#disk.set(id, { path, size: bytes.length });
    this.#diskBytes += bytes.length;
    while (this.#diskBytes > this.#maxBytes) {
      const [oldest, chunk] = this.#disk.entries().next().value!;
      this.#disk.delete(oldest);
      this.#diskBytes -= chunk.size;
      await rm(chunk.path, { force: true });
    }
  }
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}
