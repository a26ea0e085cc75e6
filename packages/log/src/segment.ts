import { open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '@fjord/durable-file';
import { BATCH_HEADER_SIZE, BATCH_LOG_OVERHEAD, BatchOffset } from '@fjord/kafka-protocol';
import type { Logger } from 'pino';
import { batchProblem, type ProducedBatch } from './batch-check.ts';
import { readAt, writeAllAt, type ReadAllocator } from './files.ts';
import { OffsetIndex } from './offset-index.ts';
import { TimeIndex } from './time-index.ts';

export const LOG_SUFFIX = '.log';
export const OFFSET_INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';

export function segmentFileName(baseOffset: bigint, suffix: string): string {
  return baseOffset.toString().padStart(20, '0') + suffix;
}

export interface SegmentInfo {
  baseOffset: bigint;
  /** One past the last offset stored in the segment. */
  nextOffset: bigint;
  size: number;
  /** -1 while the segment holds no timestamp. */
  maxTimestamp: bigint;
  closed: boolean;
  files: { log: string; offsetIndex: string; timeIndex: string };
}

/** A batch's place in a segment, read from its header only. */
export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
}

/** Batches of one append() call, offsets already assigned. `batches[].position` is relative to `records`. */
export interface AppendChunk {
  records: Buffer;
  batches: ProducedBatch[];
  baseOffset: bigint;
}

export interface SegmentLoadOptions {
  indexIntervalBytes: number;
  logger: Logger;
  now: number;
  /** Closed segments know where they end: the next segment's base offset. */
  endOffset: bigint | null;
  /** After a clean shutdown the active segment's indexes are trusted and only the tail past them is scanned. */
  trustIndexes: boolean;
  /** A segment compaction just wrote: its indexes are built now, without a warning. */
  compacted?: boolean;
}

/** Header reads during a lookup: one interval of the sparse index plus a few headers. */
const HEADER_SCAN_CHUNK = 16 * 1024;
/** Whole-batch reads during recovery. */
const RECOVERY_CHUNK = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
/** Read ends remembered per segment: one per consumer reading it sequentially, for a few consumers. */
const READ_ENDS_KEPT = 16;

/**
 * One segment of a partition: the .log file of record batches and its two sparse indexes. The
 * active segment opens its index files at its first index entry and keeps them open for appends
 * (an idle partition holds one file descriptor, not three); a closed segment loads its indexes
 * only when a lookup needs them.
 */
export class Segment {
  readonly baseOffset: bigint;
  readonly files: SegmentInfo['files'];
  size = 0;
  nextOffset: bigint;
  maxTimestamp = -1n;
  /** Wall-clock time of the first append, for time-based rolling. */
  rollingTimestamp: number | null = null;
  closed = false;

  readonly #indexIntervalBytes: number;
  readonly #log: FileHandle;
  #offsetIndexFile: FileHandle | null = null;
  #timeIndexFile: FileHandle | null = null;
  #offsetIndex: OffsetIndex | null = null;
  #timeIndex: TimeIndex | null = null;
  #bytesSinceIndexEntry = 0;
  #lastBatchOffset: bigint;
  #readers = 0;
  /** Deleted or shut down: the file closes when the last reader unpins. */
  #retired = false;
  /** Where recent reads ended (next offset -> file position), oldest first. */
  readonly #readEnds = new Map<bigint, number>();

  private constructor(dir: string, baseOffset: bigint, log: FileHandle, indexIntervalBytes: number) {
    this.baseOffset = baseOffset;
    this.nextOffset = baseOffset;
    this.#lastBatchOffset = baseOffset;
    this.#log = log;
    this.#indexIntervalBytes = indexIntervalBytes;
    this.files = {
      log: join(dir, segmentFileName(baseOffset, LOG_SUFFIX)),
      offsetIndex: join(dir, segmentFileName(baseOffset, OFFSET_INDEX_SUFFIX)),
      timeIndex: join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX)),
    };
  }

  /** A new, empty active segment. The caller makes the directory entries durable. */
  static async create(dir: string, baseOffset: bigint, indexIntervalBytes: number): Promise<Segment> {
    const log = await open(join(dir, segmentFileName(baseOffset, LOG_SUFFIX)), 'w+');
    const segment = new Segment(dir, baseOffset, log, indexIntervalBytes);
    segment.#offsetIndex = new OffsetIndex(baseOffset);
    segment.#timeIndex = new TimeIndex(baseOffset);
    await writeFile(segment.files.offsetIndex, EMPTY);
    await writeFile(segment.files.timeIndex, EMPTY);
    return segment;
  }

  /** Opens an existing segment, checking its indexes and, for the active one, every batch past them. */
  static async load(dir: string, baseOffset: bigint, options: SegmentLoadOptions): Promise<Segment> {
    const log = await open(join(dir, segmentFileName(baseOffset, LOG_SUFFIX)), 'r+');
    const segment = new Segment(dir, baseOffset, log, options.indexIntervalBytes);
    segment.size = (await log.stat()).size;
    if (options.endOffset === null) {
      await segment.#loadActive(options);
    } else {
      await segment.#loadClosed(options.endOffset, options);
    }
    return segment;
  }

  async #loadClosed(endOffset: bigint, options: SegmentLoadOptions): Promise<void> {
    this.closed = true;
    this.nextOffset = endOffset;
    const span = endOffset - this.baseOffset;
    const offsetBytes = await readIfExists(this.files.offsetIndex);
    const timeBytes = await readIfExists(this.files.timeIndex);
    if (
      offsetBytes &&
      timeBytes &&
      OffsetIndex.isValid(offsetBytes, this.size, span) &&
      TimeIndex.isValid(timeBytes, span)
    ) {
      this.maxTimestamp = new TimeIndex(this.baseOffset, timeBytes).last()?.timestamp ?? -1n;
      return;
    }
    if (!options.compacted) options.logger.warn({ segment: this.files.log }, 'rebuilding the indexes of a closed segment');
    // Compaction leaves gaps between the batches of closed segments, and may empty their tails.
    await this.#recover(0, this.baseOffset, options.logger, true);
    if (this.nextOffset > endOffset) {
      options.logger.warn(
        { segment: this.files.log, expected: endOffset.toString(), found: this.nextOffset.toString() },
        'closed segment overlaps the next one',
      );
    }
    this.nextOffset = endOffset;
    this.#appendFinalTimeEntry();
    await writeFileDurably(this.files.offsetIndex, this.#offsetIndex!.bytes);
    await writeFileDurably(this.files.timeIndex, this.#timeIndex!.bytes);
    this.#offsetIndex = null;
    this.#timeIndex = null;
  }

  async #loadActive(options: SegmentLoadOptions): Promise<void> {
    let from: { position: number; offset: bigint } = { position: 0, offset: this.baseOffset };
    const offsetBytes = options.trustIndexes ? await readIfExists(this.files.offsetIndex) : null;
    const timeBytes = options.trustIndexes ? await readIfExists(this.files.timeIndex) : null;
    const unknownSpan = 1n << 31n;
    if (
      offsetBytes &&
      timeBytes &&
      OffsetIndex.isValid(offsetBytes, this.size, unknownSpan) &&
      TimeIndex.isValid(timeBytes, unknownSpan)
    ) {
      this.#offsetIndex = new OffsetIndex(this.baseOffset, offsetBytes);
      this.#timeIndex = new TimeIndex(this.baseOffset, timeBytes);
      this.maxTimestamp = this.#timeIndex.last()?.timestamp ?? -1n;
      const last = this.#offsetIndex.last();
      if (last) from = last;
    }
    await this.#recover(from.position, from.offset, options.logger);
    if (this.size > 0) this.rollingTimestamp = options.now;
    await writeFile(this.files.offsetIndex, this.#offsetIndex!.bytes);
    await writeFile(this.files.timeIndex, this.#timeIndex!.bytes);
  }

  /** The index files hold exactly the in-memory indexes until opened, so appends continue at their ends. */
  async #openIndexFiles(): Promise<{ offsetIndex: FileHandle; timeIndex: FileHandle }> {
    this.#offsetIndexFile ??= await open(this.files.offsetIndex, 'r+');
    this.#timeIndexFile ??= await open(this.files.timeIndex, 'r+');
    return { offsetIndex: this.#offsetIndexFile, timeIndex: this.#timeIndexFile };
  }

  /**
   * Scans whole batches from `position` (where a batch starting at `offset` begins), checking bounds,
   * magic, CRC and offset continuity; cuts the file after the last good batch and indexes what it
   * keeps. Indexes are rebuilt from scratch when the scan starts at 0.
   */
  async #recover(position: number, offset: bigint, logger: Logger, allowGaps = false): Promise<void> {
    if (position === 0) {
      this.#offsetIndex = new OffsetIndex(this.baseOffset);
      this.#timeIndex = new TimeIndex(this.baseOffset);
      this.maxTimestamp = -1n;
    }
    const fileSize = this.size;
    let at = position;
    let expected = offset;
    let chunk: Buffer = Buffer.alloc(0);
    let chunkStart = at;
    let problem: string | null = null;
    this.#bytesSinceIndexEntry = 0;
    while (at < fileSize) {
      let rel = at - chunkStart;
      if (rel + BATCH_HEADER_SIZE > chunk.length) {
        chunk = await readAt(this.#log, at, Math.min(RECOVERY_CHUNK, fileSize - at));
        chunkStart = at;
        rel = 0;
      }
      if (chunk.length - rel < BATCH_HEADER_SIZE) {
        problem = 'truncated';
        break;
      }
      const size = BATCH_LOG_OVERHEAD + chunk.readInt32BE(rel + BatchOffset.BatchLength);
      if (size >= BATCH_HEADER_SIZE && size <= fileSize - at && rel + size > chunk.length) {
        chunk = await readAt(this.#log, at, Math.max(size, Math.min(RECOVERY_CHUNK, fileSize - at)));
        chunkStart = at;
        rel = 0;
      }
      problem = batchProblem(chunk.subarray(rel, rel + Math.max(size, BATCH_HEADER_SIZE)), 0);
      const baseOffset = chunk.readBigInt64BE(rel + BatchOffset.BaseOffset);
      if (!problem && (allowGaps ? baseOffset < expected : baseOffset !== expected)) problem = 'offset-gap';
      if (problem) break;
      const lastOffset = baseOffset + BigInt(chunk.readInt32BE(rel + BatchOffset.LastOffsetDelta));
      this.#indexBatch(at, size, baseOffset, chunk.readBigInt64BE(rel + BatchOffset.MaxTimestamp));
      at += size;
      expected = lastOffset + 1n;
    }
    this.size = at;
    this.nextOffset = expected;
    if (at < fileSize) {
      logger.warn(
        { segment: this.files.log, position: at, discardedBytes: fileSize - at, problem },
        'truncating the segment after its last valid batch',
      );
      await this.#log.truncate(at);
      await this.#log.sync();
    }
  }

  /** Index bookkeeping for a batch written at `position`; returns index entries to persist, if any. */
  #indexBatch(position: number, size: number, baseOffset: bigint, maxTimestamp: bigint): [Buffer, Buffer | null] | null {
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    this.#lastBatchOffset = baseOffset;
    let entries: [Buffer, Buffer | null] | null = null;
    if (this.#bytesSinceIndexEntry >= this.#indexIntervalBytes) {
      const offsetEntry = this.#offsetIndex!.append(baseOffset, position);
      const lastTime = this.#timeIndex!.last();
      const timeEntry =
        this.maxTimestamp > (lastTime?.timestamp ?? -1n) ? this.#timeIndex!.append(this.maxTimestamp, baseOffset) : null;
      entries = [offsetEntry, timeEntry];
      this.#bytesSinceIndexEntry = 0;
    }
    this.#bytesSinceIndexEntry += size;
    return entries;
  }

  #appendFinalTimeEntry(): Buffer | null {
    const lastTime = this.#timeIndex!.last();
    if (this.maxTimestamp <= (lastTime?.timestamp ?? -1n)) return null;
    return this.#timeIndex!.append(this.maxTimestamp, this.#lastBatchOffset);
  }

  /** Writes chunks whose offsets continue this segment. No fsync: the caller applies the flush policy. */
  async append(chunks: AppendChunk[], now: number): Promise<void> {
    const offsetEntries: Buffer[] = [];
    const timeEntries: Buffer[] = [];
    const offsetIndexEnd = this.#offsetIndex!.bytes.length;
    const timeIndexEnd = this.#timeIndex!.bytes.length;
    let position = this.size;
    let nextOffset = this.nextOffset;
    for (const chunk of chunks) {
      for (const batch of chunk.batches) {
        const baseOffset = chunk.records.readBigInt64BE(batch.position);
        const entries = this.#indexBatch(position, batch.size, baseOffset, batch.maxTimestamp);
        if (entries) {
          offsetEntries.push(entries[0]);
          if (entries[1]) timeEntries.push(entries[1]);
        }
        position += batch.size;
        nextOffset = baseOffset + BigInt(batch.lastOffsetDelta) + 1n;
      }
    }
    await writeAllAt(
      this.#log,
      chunks.map((chunk) => chunk.records),
      this.size,
    );
    if (offsetEntries.length > 0 || timeEntries.length > 0) {
      const files = await this.#openIndexFiles();
      if (offsetEntries.length > 0) await writeAllAt(files.offsetIndex, offsetEntries, offsetIndexEnd);
      if (timeEntries.length > 0) await writeAllAt(files.timeIndex, timeEntries, timeIndexEnd);
    }
    this.rollingTimestamp ??= now;
    this.size = position;
    this.nextOffset = nextOffset;
  }

  /** Makes the appended bytes durable (the indexes are rebuilt on recovery, so they are not synced here). */
  async sync(): Promise<void> {
    await this.#log.datasync();
  }

  /** Ends appends: the final time index entry is written and everything is made durable. */
  async close(): Promise<void> {
    if (this.closed) return;
    const files = await this.#openIndexFiles();
    const finalEntry = this.#appendFinalTimeEntry();
    if (finalEntry) {
      await writeAllAt(files.timeIndex, [finalEntry], this.#timeIndex!.bytes.length - finalEntry.length);
    }
    await this.#log.datasync();
    await files.offsetIndex.sync();
    await files.timeIndex.sync();
    await files.offsetIndex.close();
    await files.timeIndex.close();
    this.#offsetIndexFile = null;
    this.#timeIndexFile = null;
    this.#offsetIndex = null;
    this.#timeIndex = null;
    this.closed = true;
  }

  /** Releases file handles for good (partition shutdown). */
  async release(): Promise<void> {
    await this.close();
    this.#retired = true;
    if (this.#readers === 0) await this.#log.close();
  }

  info(): SegmentInfo {
    return {
      baseOffset: this.baseOffset,
      nextOffset: this.nextOffset,
      size: this.size,
      maxTimestamp: this.maxTimestamp,
      closed: this.closed,
      files: { ...this.files },
    };
  }

  /** Readers pin the segment so a concurrent deletion waits for them before closing the file. */
  pin(): void {
    this.#readers++;
  }

  async unpin(): Promise<void> {
    this.#readers--;
    if (this.#retired && this.#readers === 0) await this.#log.close();
  }

  /** Removes the files. An open file stays readable to pinned readers until they finish. */
  async delete(): Promise<void> {
    if (!this.closed) await this.close();
    this.#retired = true;
    await Promise.all([
      rm(this.files.log, { force: true }),
      rm(this.files.offsetIndex, { force: true }),
      rm(this.files.timeIndex, { force: true }),
    ]);
    if (this.#readers === 0) await this.#log.close();
  }

  /** The batch holding `offset`, or null when the segment ends before it. */
  async locate(offset: bigint): Promise<BatchLocation | null> {
    const start = (await this.#indexes()).offsetIndex.floor(offset);
    for await (const batch of this.#headers(start.position)) {
      if (batch.lastOffset >= offset) return batch;
    }
    return null;
  }

  /**
   * Whole batches from the one holding `offset`, within `maxBytes` except that the first batch is
   * always returned whole, stopping at the first batch at or past `limitOffset` (the high
   * watermark); null when the segment ends before `offset`. One file read serves most fetches: a
   * consumer's next fetch usually starts where the previous read ended, which is remembered, and
   * otherwise the read starts at the index entry below `offset` and takes an index interval more.
   * The bytes land in buffers from `allocate`.
   */
  async read(offset: bigint, maxBytes: number, limitOffset: bigint, allocate?: ReadAllocator): Promise<Buffer | null> {
    const remembered = this.#readEnds.get(offset);
    const start = remembered ?? (await this.#indexes()).offsetIndex.floor(offset).position;
    const slack = remembered === undefined ? this.#indexIntervalBytes + BATCH_HEADER_SIZE : 0;
    let buf = await readAt(this.#log, start, Math.min(Math.max(maxBytes, BATCH_HEADER_SIZE) + slack, this.size - start), allocate);
    let first = 0;
    for (;;) {
      if (first + BATCH_HEADER_SIZE > buf.length) {
        // The batch holding `offset` lies past what was read: a long run of batches below it after the index entry.
        if (start + first + BATCH_HEADER_SIZE <= this.size) return this.#readFrom(offset, maxBytes, limitOffset, allocate);
        return null;
      }
      const lastOffset = buf.readBigInt64BE(first + BatchOffset.BaseOffset) + BigInt(buf.readInt32BE(first + BatchOffset.LastOffsetDelta));
      if (lastOffset >= offset) break;
      first += BATCH_LOG_OVERHEAD + buf.readInt32BE(first + BatchOffset.BatchLength);
    }
    const firstSize = BATCH_LOG_OVERHEAD + buf.readInt32BE(first + BatchOffset.BatchLength);
    const wanted = Math.min(Math.max(firstSize, maxBytes), this.size - start - first);
    // The first batch is larger than what was read, or the index entry was far below it.
    if (first + wanted > buf.length) buf = await readAt(this.#log, start + first, wanted, allocate);
    else buf = buf.subarray(first, first + wanted);
    return this.#served(buf, start + first, limitOffset);
  }

  /** The slow path of read(): the batch is located by scanning headers first, then read. */
  async #readFrom(offset: bigint, maxBytes: number, limitOffset: bigint, allocate?: ReadAllocator): Promise<Buffer | null> {
    const first = await this.locate(offset);
    if (!first) return null;
    const buf = await readAt(this.#log, first.position, Math.min(Math.max(first.size, maxBytes), this.size - first.position), allocate);
    return this.#served(buf, first.position, limitOffset);
  }

  /** The whole batches at the head of `buf` (read at `position`) below `limitOffset`; remembers where they end. */
  #served(buf: Buffer, position: number, limitOffset: bigint): Buffer {
    let end = 0;
    let nextOffset = -1n;
    while (end + BATCH_HEADER_SIZE <= buf.length) {
      const size = BATCH_LOG_OVERHEAD + buf.readInt32BE(end + BatchOffset.BatchLength);
      const baseOffset = buf.readBigInt64BE(end + BatchOffset.BaseOffset);
      if (end + size > buf.length || baseOffset >= limitOffset) break;
      nextOffset = baseOffset + BigInt(buf.readInt32BE(end + BatchOffset.LastOffsetDelta)) + 1n;
      end += size;
    }
    if (end > 0) {
      // The batch after these is the one holding `nextOffset`, or the first after it, whatever is appended later.
      if (this.#readEnds.size >= READ_ENDS_KEPT) this.#readEnds.delete(this.#readEnds.keys().next().value!);
      this.#readEnds.set(nextOffset, position + end);
    }
    return buf.subarray(0, end);
  }

  /** Loads the indexes of a closed segment now, so later lookups never read index files that compaction replaces. */
  async loadIndexes(): Promise<void> {
    await this.#indexes();
  }

  /** Reads the whole batch at a location. */
  async readBatch(batch: BatchLocation): Promise<Buffer> {
    return readAt(this.#log, batch.position, batch.size);
  }

  /** Where a scan for the first timestamp at or after `timestamp` can start. */
  async timestampScanStart(timestamp: bigint): Promise<bigint> {
    return (await this.#indexes()).timeIndex.lastBelow(timestamp)?.offset ?? this.baseOffset;
  }

  /** Headers of the batches from the one holding `fromOffset` to the end of what has been written. */
  async *headers(fromOffset: bigint): AsyncGenerator<BatchLocation> {
    const start = await this.locate(fromOffset);
    if (!start) return;
    yield* this.#headers(start.position);
  }

  async *#headers(position: number): AsyncGenerator<BatchLocation> {
    const end = this.size;
    let at = position;
    let chunk: Buffer = Buffer.alloc(0);
    let chunkStart = at;
    while (at + BATCH_HEADER_SIZE <= end) {
      if (at - chunkStart + BATCH_HEADER_SIZE > chunk.length) {
        chunk = await readAt(this.#log, at, Math.min(HEADER_SCAN_CHUNK, end - at));
        chunkStart = at;
      }
      const rel = at - chunkStart;
      const size = BATCH_LOG_OVERHEAD + chunk.readInt32BE(rel + BatchOffset.BatchLength);
      const baseOffset = chunk.readBigInt64BE(rel + BatchOffset.BaseOffset);
      yield {
        position: at,
        size,
        baseOffset,
        lastOffset: baseOffset + BigInt(chunk.readInt32BE(rel + BatchOffset.LastOffsetDelta)),
        maxTimestamp: chunk.readBigInt64BE(rel + BatchOffset.MaxTimestamp),
      };
      at += size;
    }
  }

  async #indexes(): Promise<{ offsetIndex: OffsetIndex; timeIndex: TimeIndex }> {
    if (this.#offsetIndex && this.#timeIndex) return { offsetIndex: this.#offsetIndex, timeIndex: this.#timeIndex };
    // Closed segments load their indexes on demand and keep them: they were checked when the log opened.
    const offsetIndex = new OffsetIndex(this.baseOffset, (await readIfExists(this.files.offsetIndex)) ?? undefined);
    const timeIndex = new TimeIndex(this.baseOffset, (await readIfExists(this.files.timeIndex)) ?? undefined);
    this.#offsetIndex ??= offsetIndex;
    this.#timeIndex ??= timeIndex;
    return { offsetIndex: this.#offsetIndex, timeIndex: this.#timeIndex };
  }
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
