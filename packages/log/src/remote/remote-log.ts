import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { BATCH_HEADER_SIZE, BATCH_LOG_OVERHEAD, BatchOffset } from '@fjord/kafka-protocol';
import { isNotFound, type ObjectStore } from '@fjord/object-store';
import type { Logger } from 'pino';
import { LogError } from '../errors.ts';
import { OffsetIndex } from '../offset-index.ts';
import { recordAtOrAfter, type Decompress } from '../record-timestamps.ts';
import type { SegmentInfo } from '../segment.ts';
import { TimeIndex } from '../time-index.ts';
import type { RemoteReadCache } from './read-cache.ts';
import {
  decodeManifest,
  encodeManifest,
  manifestKey,
  manifestStartOffset,
  objectStartOffset,
  remoteObjectKey,
  remoteRoles,
  type RemoteLogSegmentMetadata,
  type RemoteObjectRole,
} from './remote-segment.ts';

/** Where a partition's remote segments live. */
export interface RemoteStorage {
  store: ObjectStore;
  /** `<tiering prefix><topic>/<partition>/`, ending with `/`. */
  keyPrefix: string;
  cache: RemoteReadCache;
}

/** A closed local segment to upload; `producerSnapshot` is the path of its snapshot, when it has one. */
export type UploadableSegment = Pick<SegmentInfo, 'baseOffset' | 'nextOffset' | 'size' | 'maxTimestamp' | 'files'> & {
  producerSnapshot?: string;
};

interface BatchHeader {
  position: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
}

/** Largest segment log sent in one PutObject; S3-compatible servers often cap a request body well below S3's 5 GB. */
const SINGLE_PUT_BYTES = 8 * 1024 * 1024;

/** How many index objects stay parsed in memory per partition. */
const PARSED_INDEXES = 16;

/**
 * A partition's segments in object storage (KIP-405's remote log), known from their manifests.
 * Everything here is read from the store on `load()`, so a restarted broker resumes from what the
 * store holds; the local checkpoint is not needed to find remote data.
 */
export class RemoteLog {
  readonly #storage: RemoteStorage;
  readonly #logger: Logger;
  readonly #now: () => number;
  #segments: RemoteLogSegmentMetadata[] = [];
  #loaded = false;
  readonly #offsetIndexes = new Map<bigint, OffsetIndex>();
  readonly #timeIndexes = new Map<bigint, TimeIndex>();

  constructor(storage: RemoteStorage, logger: Logger, now: () => number) {
    this.#storage = storage;
    this.#logger = logger;
    this.#now = now;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get segments(): readonly RemoteLogSegmentMetadata[] {
    return this.#segments;
  }

  get startOffset(): bigint | null {
    return this.#segments[0]?.startOffset ?? null;
  }

  /** One past the last remote offset, or null while nothing is remote. */
  get nextOffset(): bigint | null {
    const last = this.#segments[this.#segments.length - 1];
    return last ? last.endOffset + 1n : null;
  }

  /** Bytes of remote segment logs. */
  get size(): number {
    return this.#segments.reduce((total, segment) => total + segment.segmentSizeInBytes, 0);
  }

  /**
   * Reads every manifest under the partition's prefix. Objects without a manifest are leftovers of
   * an upload or deletion a crash interrupted; nothing serves them, so they are removed.
   */
  async load(): Promise<void> {
    const { store, keyPrefix } = this.#storage;
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list(keyPrefix, { cursor });
      keys.push(...page.keys);
      cursor = page.nextCursor;
    } while (cursor);
    const segments: RemoteLogSegmentMetadata[] = [];
    for (const key of keys) {
      if (manifestStartOffset(key) === null) continue;
      const manifest = decodeManifest(await store.get(key));
      if (manifest) segments.push(manifest);
      else this.#logger.warn({ key }, 'ignoring an unreadable remote segment manifest');
    }
    segments.sort((a, b) => (a.startOffset < b.startOffset ? -1 : a.startOffset > b.startOffset ? 1 : 0));
    const starts = new Set(segments.map((segment) => segment.startOffset));
    for (const key of keys) {
      const start = objectStartOffset(key);
      if (start !== null && !starts.has(start)) await store.delete(key);
    }
    this.#segments = segments;
    this.#loaded = true;
  }

  /** Whether exactly this segment is already remote (its manifest exists). */
  holds(segment: Pick<SegmentInfo, 'baseOffset' | 'nextOffset'>): boolean {
    return this.#segments.some(
      (remote) => remote.startOffset === segment.baseOffset && remote.endOffset === segment.nextOffset - 1n,
    );
  }

  /**
   * Uploads a closed segment's objects, checks every one is stored at its full size, then writes the
   * manifest that makes the segment remote. Only after this resolves may the local copy go.
   */
  async upload(segment: UploadableSegment): Promise<RemoteLogSegmentMetadata> {
    const { store, keyPrefix } = this.#storage;
    const files: [RemoteObjectRole, string][] = [
      ['log', segment.files.log],
      ['offsetIndex', segment.files.offsetIndex],
      ['timeIndex', segment.files.timeIndex],
    ];
    if (segment.producerSnapshot) files.push(['producerSnapshot', segment.producerSnapshot]);
    const objects: Partial<Record<RemoteObjectRole, number>> = {};
    for (const [role, path] of files) {
      const key = remoteObjectKey(keyPrefix, segment.baseOffset, role);
      if (role === 'log') {
        const { size } = await stat(path);
        // Larger logs go as a multipart upload (S3 object stores), in parts of bounded size.
        await store.put(key, createReadStream(path), size <= SINGLE_PUT_BYTES ? { contentLength: size } : {});
        objects.log = size;
      } else {
        const bytes = await readFile(path);
        await store.put(key, bytes);
        objects[role] = bytes.length;
      }
    }
    const logSha256 = await sha256File(segment.files.log);
    for (const [role] of files) {
      const key = remoteObjectKey(keyPrefix, segment.baseOffset, role);
      const head = await store.head(key);
      if (head?.size !== objects[role]) {
        throw new LogError('KAFKA_STORAGE_ERROR', `remote object ${key} has ${head?.size ?? 'no'} bytes, expected ${objects[role]}`);
      }
    }
    const metadata: RemoteLogSegmentMetadata = {
      version: 1,
      startOffset: segment.baseOffset,
      endOffset: segment.nextOffset - 1n,
      maxTimestampMs: segment.maxTimestamp,
      eventTimestampMs: this.#now(),
      segmentSizeInBytes: objects.log!,
      objects: objects as RemoteLogSegmentMetadata['objects'],
      logSha256,
    };
    const manifest = encodeManifest(metadata);
    const key = manifestKey(keyPrefix, segment.baseOffset);
    await store.put(key, manifest);
    if (!(await store.get(key)).equals(manifest)) {
      throw new LogError('KAFKA_STORAGE_ERROR', `remote manifest ${key} did not read back as written`);
    }
    this.#segments = [...this.#segments.filter((s) => s.startOffset !== metadata.startOffset), metadata].sort((a, b) =>
      a.startOffset < b.startOffset ? -1 : 1,
    );
    this.#logger.info(
      { startOffset: metadata.startOffset.toString(), endOffset: metadata.endOffset.toString(), bytes: metadata.segmentSizeInBytes },
      'uploaded a segment to remote storage',
    );
    return metadata;
  }

  /** Deletes the `count` oldest remote segments: the manifest first, so a crash never leaves a served segment with missing data. */
  async deleteOldest(count: number): Promise<void> {
    const { store, keyPrefix, cache } = this.#storage;
    for (const segment of this.#segments.slice(0, count)) {
      await store.delete(manifestKey(keyPrefix, segment.startOffset));
      this.#segments = this.#segments.filter((s) => s !== segment);
      this.#offsetIndexes.delete(segment.startOffset);
      this.#timeIndexes.delete(segment.startOffset);
      for (const role of remoteRoles(segment)) {
        const key = remoteObjectKey(keyPrefix, segment.startOffset, role);
        await store.delete(key);
        await cache.forget(key);
      }
    }
  }

  /** Whole batches from the one holding `offset`, as PartitionLog.read; null when no remote segment holds it. */
  async read(offset: bigint, maxBytes: number, limitOffset: bigint): Promise<Buffer | null> {
    const segment = this.#segmentFor(offset);
    if (!segment) return null;
    const first = await this.#locate(segment, offset);
    if (!first || first.baseOffset >= limitOffset) return first ? Buffer.alloc(0) : null;
    const length = Math.max(first.size, maxBytes);
    const buf = await this.#bytes(segment, 'log', first.position, first.position + length);
    let end = 0;
    while (end + BATCH_HEADER_SIZE <= buf.length) {
      const size = BATCH_LOG_OVERHEAD + buf.readInt32BE(end + BatchOffset.BatchLength);
      if (end + size > buf.length || buf.readBigInt64BE(end + BatchOffset.BaseOffset) >= limitOffset) break;
      end += size;
    }
    return buf.subarray(0, end);
  }

  /** The first record at or after `timestamp` in remote segments below `endOffset`, from `fromOffset`. */
  async offsetForTimestamp(
    timestamp: bigint,
    fromOffset: bigint,
    endOffset: bigint,
    decompress: Decompress | undefined,
  ): Promise<{ offset: bigint; timestamp: bigint } | null> {
    for (const segment of this.#segments) {
      if (segment.startOffset >= endOffset) break;
      if (segment.endOffset < fromOffset || segment.maxTimestampMs < timestamp) continue;
      const indexed = (await this.#timeIndex(segment)).lastBelow(timestamp)?.offset ?? segment.startOffset;
      const start = indexed > fromOffset ? indexed : fromOffset;
      const first = await this.#locate(segment, start);
      for (let at = first?.position ?? segment.segmentSizeInBytes; at < segment.segmentSizeInBytes; ) {
        const batch = await this.#header(segment, at);
        if (batch.baseOffset >= endOffset) return null;
        at += batch.size;
        if (batch.lastOffset < start || batch.maxTimestamp < timestamp) continue;
        const bytes = await this.#bytes(segment, 'log', batch.position, batch.position + batch.size);
        const found = await recordAtOrAfter(bytes, timestamp, start, decompress);
        if (found) return found;
      }
    }
    return null;
  }

  /** Removes every object of the partition (its topic was deleted). */
  async deleteAll(): Promise<void> {
    const { store, keyPrefix, cache } = this.#storage;
    for (const segment of this.#segments) {
      for (const role of remoteRoles(segment)) await cache.forget(remoteObjectKey(keyPrefix, segment.startOffset, role));
    }
    await store.deletePrefix(keyPrefix);
    this.#segments = [];
  }

  #segmentFor(offset: bigint): RemoteLogSegmentMetadata | null {
    let found: RemoteLogSegmentMetadata | null = null;
    for (const segment of this.#segments) {
      if (segment.startOffset > offset) break;
      if (segment.endOffset >= offset) found = segment;
    }
    return found;
  }

  async #locate(segment: RemoteLogSegmentMetadata, offset: bigint): Promise<BatchHeader | null> {
    let at = (await this.#offsetIndex(segment)).floor(offset).position;
    while (at + BATCH_HEADER_SIZE <= segment.segmentSizeInBytes) {
      const batch = await this.#header(segment, at);
      if (batch.lastOffset >= offset) return batch;
      at += batch.size;
    }
    return null;
  }

  async #header(segment: RemoteLogSegmentMetadata, position: number): Promise<BatchHeader> {
    const header = await this.#bytes(segment, 'log', position, position + BATCH_HEADER_SIZE);
    if (header.length < BATCH_HEADER_SIZE) throw new LogError('KAFKA_STORAGE_ERROR', 'remote segment ends inside a batch header');
    const baseOffset = header.readBigInt64BE(BatchOffset.BaseOffset);
    return {
      position,
      size: BATCH_LOG_OVERHEAD + header.readInt32BE(BatchOffset.BatchLength),
      baseOffset,
      lastOffset: baseOffset + BigInt(header.readInt32BE(BatchOffset.LastOffsetDelta)),
      maxTimestamp: header.readBigInt64BE(BatchOffset.MaxTimestamp),
    };
  }

  async #offsetIndex(segment: RemoteLogSegmentMetadata): Promise<OffsetIndex> {
    return this.#parsed(this.#offsetIndexes, segment, 'offsetIndex', (bytes) => new OffsetIndex(segment.startOffset, bytes));
  }

  async #timeIndex(segment: RemoteLogSegmentMetadata): Promise<TimeIndex> {
    return this.#parsed(this.#timeIndexes, segment, 'timeIndex', (bytes) => new TimeIndex(segment.startOffset, bytes));
  }

  async #parsed<T>(
    parsed: Map<bigint, T>,
    segment: RemoteLogSegmentMetadata,
    role: 'offsetIndex' | 'timeIndex',
    parse: (bytes: Buffer) => T,
  ): Promise<T> {
    const known = parsed.get(segment.startOffset);
    if (known) return known;
    const index = parse(await this.#bytes(segment, role, 0, segment.objects[role]));
    parsed.set(segment.startOffset, index);
    if (parsed.size > PARSED_INDEXES) parsed.delete(parsed.keys().next().value!);
    return index;
  }

  async #bytes(segment: RemoteLogSegmentMetadata, role: RemoteObjectRole, start: number, end: number): Promise<Buffer> {
    const { store, keyPrefix, cache } = this.#storage;
    const key = remoteObjectKey(keyPrefix, segment.startOffset, role);
    try {
      return await cache.read(store, key, segment.objects[role] ?? 0, start, end);
    } catch (error) {
      if (error instanceof LogError) throw error;
      const detail = isNotFound(error) ? `remote object ${key} is missing` : `remote read of ${key} failed`;
      throw new LogError('KAFKA_STORAGE_ERROR', detail, { cause: error });
    }
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
