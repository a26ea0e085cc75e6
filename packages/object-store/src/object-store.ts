import type { Readable } from 'node:stream';

export interface PutOptions {
  /** Length of a streamed body, when known: lets S3 take it in one PutObject instead of a multipart upload. */
  contentLength?: number;
}

export interface ListOptions {
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Keys per page, 1..1000 (default 1000). */
  limit?: number;
}

export interface ListPage {
  /** Keys in ascending byte order. */
  keys: string[];
  /** Present when more keys follow. */
  nextCursor?: string;
}

/**
 * Flat key -> bytes storage with S3 semantics: a put replaces the whole object atomically, a
 * delete of a missing key succeeds, and keys list in ascending order. Keys are `/`-separated
 * paths without empty, `.` or `..` segments (see keys.ts).
 */
export interface ObjectStore {
  put(key: string, body: Buffer | Readable, options?: PutOptions): Promise<void>;
  /** Throws ObjectStoreError NOT_FOUND. */
  get(key: string): Promise<Buffer>;
  /** Bytes start..endInclusive, cut at the end of the object; INVALID_RANGE when start is past it. */
  getRange(key: string, start: number, endInclusive: number): Promise<Buffer>;
  getStream(key: string): Promise<Readable>;
  head(key: string): Promise<{ size: number } | null>;
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  delete(key: string): Promise<void>;
  /** Deletes every key under `prefix` and says how many there were. */
  deletePrefix(prefix: string): Promise<number>;
  /** Releases connections; the store is not used afterwards. */
  close(): Promise<void>;
}

export const MAX_LIST_LIMIT = 1000;
