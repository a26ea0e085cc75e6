import { access, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncDirectory } from '@fjord/durable-file';
import { BatchOffset } from '@fjord/kafka-protocol';
import { pino, type Logger } from 'pino';
import { checkProducedBatches, type ProducedBatch } from './batch-check.ts';
import { compactBatch, indexKeys, type KeyOffsets } from './compaction.ts';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { resolveLogConfig, type LogConfig } from './config.ts';
import { LogError } from './errors.ts';
import { writeAllAt, type ReadAllocator } from './files.ts';
import { recordAtOrAfter, type Decompress } from './record-timestamps.ts';
import { RemoteLog, type RemoteStorage } from './remote/remote-log.ts';
import { SNAPSHOT_SUFFIX } from './remote/remote-segment.ts';
import { localRetentionLimits, remoteSegmentsToDelete, segmentsToDelete } from './retention.ts';
import {
  LOG_SUFFIX,
  OFFSET_INDEX_SUFFIX,
  Segment,
  segmentFileName,
  TIME_INDEX_SUFFIX,
  type AppendChunk,
  type SegmentInfo,
} from './segment.ts';

export interface PartitionLogOptions {
  logger?: Logger;
  now?: () => number;
  /**
   * Decompresses a batch's record section (codec = attributes & 0x07), so offsetForTimestamp can
   * name the exact record inside a compressed batch. Without it, such a batch answers with its first offset.
   */
  decompress?: Decompress;
  /**
   * Tiered storage (KIP-405): closed segments are uploaded here by `tier()` and served from here
   * once local retention has removed them. Without it the log lives on local disk only.
   */
  remote?: RemoteStorage;
}

export interface TierResult {
  uploadedSegments: number;
  deletedLocalSegments: number;
  deletedRemoteSegments: number;
}

export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
  /** -1: batches keep the producer's CreateTime. */
  logAppendTime: bigint;
  logStartOffset: bigint;
}

export interface CompactOptions {
  /** How long a tombstone survives, counted from its timestamp (Kafka's delete.retention.ms, default one day). */
  deleteRetentionMs?: number;
  /**
   * Share of the log written since the last pass that makes a new pass worth its cost (Kafka's
   * min.cleanable.dirty.ratio, default 0.5). The first pass after opening always runs.
   */
  minCleanableDirtyRatio?: number;
  now?: number;
}

export interface CompactionResult {
  /** Closed segments rewritten. */
  cleanedSegments: number;
  removedRecords: number;
}

export interface ReadResult {
  records: Buffer;
  highWatermark: bigint;
  logStartOffset: bigint;
}

interface PendingAppend {
  records: Buffer;
  batches: ProducedBatch[];
  resolve: (result: AppendResult) => void;
  reject: (error: Error) => void;
}

interface WrittenAppend {
  pending: PendingAppend;
  baseOffset: bigint;
  lastOffset: bigint;
}

interface Waiter {
  offset: bigint;
  wake: () => void;
}

/** setTimeout fires at once for anything longer. */
const MAX_TIMER_MS = 0x7fffffff;

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;
/** A compacted segment being written; an interrupted one is discarded at open. */
const CLEANED_SUFFIX = '.cleaned';

/**
 * A partition's log: a directory of segments, appended by one writer loop. Appends that arrive
 * while a write is under way queue up and go out together in the next write; with
 * `flush: 'every-write'` they also share fsyncs, which run beside the writes (group commit).
 */
export class PartitionLog {
  readonly dir: string;
  readonly #config: Required<LogConfig>;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #decompress: PartitionLogOptions['decompress'];
  readonly #remote: RemoteLog | null;
  #remoteLoading: Promise<void> | null = null;
  #segments: Segment[];
  /** Offset the next appended batch gets. */
  #nextOffset: bigint;
  #highWatermark: bigint;
  #logStartOffset: bigint;
  #queue: PendingAppend[] = [];
  #draining = false;
  #drained: Promise<void> = Promise.resolve();
  /** Written with flush 'every-write', waiting for the next fsync. */
  #unsynced: WrittenAppend[] = [];
  #syncing = false;
  #synced: Promise<void> = Promise.resolve();
  /** Retention and DeleteRecords run one at a time. */
  #maintenance: Promise<unknown> = Promise.resolve();
  #waiters = new Set<Waiter>();
  #flushTimer: NodeJS.Timeout | null = null;
  #unflushed = false;
  #failure: LogError | null = null;
  #closed = false;
  /**
   * Whether partition.json says the log was not closed cleanly. A log opened after a clean close
   * keeps the clean record until its first change (written durably before it), so opening and
   * closing an idle partition writes nothing: thousands of idle partitions start in seconds.
   */
  #dirty = false;
  #markingDirty: Promise<void> | null = null;
  /** What the last compaction left: the next pass waits for enough new data or a tombstone's expiry. */
  #compacted: { highWatermark: bigint; size: number; tombstoneExpiry: number } | null = null;

  private constructor(
    dir: string,
    config: Required<LogConfig>,
    options: PartitionLogOptions,
    segments: Segment[],
    logStartOffset: bigint,
    remote: RemoteLog | null,
  ) {
    this.dir = dir;
    this.#config = config;
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#now = options.now ?? Date.now;
    this.#decompress = options.decompress;
    this.#segments = segments;
    this.#nextOffset = this.#active.nextOffset;
    this.#highWatermark = this.#nextOffset;
    this.#logStartOffset = logStartOffset;
    this.#remote = remote;
  }

  /** Opens the partition in `dir`, creating it when empty and recovering it after a crash. */
  static async open(dir: string, config: LogConfig, options: PartitionLogOptions = {}): Promise<PartitionLog> {
    const resolved = resolveLogConfig(config);
    const logger = (options.logger ?? pino({ level: 'silent' })).child({ partitionDir: dir });
    const now = options.now ?? Date.now;
    await createDirDurably(dir);
    const checkpoint = await readCheckpoint(dir);
    let logStartOffset = checkpoint?.logStartOffset ?? 0n;
    const bases = await listSegmentBases(dir);

    // Segments wholly below the log start offset were due for deletion when the process stopped.
    while (bases.length > 1 && bases[1] <= logStartOffset) {
      await removeSegmentFiles(dir, bases.shift()!);
    }

    const segments: Segment[] = [];
    if (bases.length === 0) {
      segments.push(await Segment.create(dir, logStartOffset, resolved.indexIntervalBytes));
      await fsyncDirectory(dir);
    } else {
      for (let i = 0; i < bases.length; i++) {
        const last = i === bases.length - 1;
        segments.push(
          await Segment.load(dir, bases[i], {
            indexIntervalBytes: resolved.indexIntervalBytes,
            logger,
            now: now(),
            endOffset: last ? null : bases[i + 1],
            trustIndexes: checkpoint?.cleanShutdown === true,
          }),
        );
      }
    }
    const nextOffset = segments[segments.length - 1].nextOffset;
    const remote = options.remote ? new RemoteLog(options.remote, logger, now) : null;
    await remote?.load().catch((error: unknown) => {
      logger.warn({ err: error }, 'remote storage is unreachable; remote segments are listed when it answers');
    });
    const earliest = earliestOffset(segments[0].baseOffset, remote, logStartOffset);
    if (logStartOffset < earliest) logStartOffset = earliest;
    // A crash can lose unflushed data past a DeleteRecords point; the log then starts at its end.
    if (logStartOffset > nextOffset) logStartOffset = nextOffset;

    const log = new PartitionLog(dir, resolved, { ...options, logger, now }, segments, logStartOffset, remote);
    // A clean record with this start stays until the first change. Otherwise (recovered, new, or a moved start), until
    // close() says otherwise, the next open must treat this one as a crash.
    if (checkpoint?.cleanShutdown !== true || checkpoint.logStartOffset !== logStartOffset) {
      if (checkpoint?.cleanShutdown !== false || checkpoint.logStartOffset !== logStartOffset) await writeCheckpoint(dir, { logStartOffset, cleanShutdown: false });
      log.#dirty = true;
    }
    if (resolved.flush === 'interval') log.#startFlushTimer();
    logger.debug(
      { segments: segments.length, logStartOffset: logStartOffset.toString(), nextOffset: nextOffset.toString() },
      'partition log opened',
    );
    return log;
  }

  get highWatermark(): bigint {
    return this.#highWatermark;
  }

  get logStartOffset(): bigint {
    return this.#logStartOffset;
  }

  /** Bytes of record batches on local disk (what hot-storage limits count). */
  get size(): number {
    return this.#segments.reduce((total, segment) => total + segment.size, 0);
  }

  /** Bytes of record batches in remote storage, as far as it has been listed. */
  get remoteSize(): number {
    return this.#remote?.size ?? 0;
  }

  /** One past the last offset in remote storage, or null while nothing is remote. */
  get remoteNextOffset(): bigint | null {
    return this.#remote?.nextOffset ?? null;
  }

  /** The first offset on local disk; below it, reads go to remote storage. */
  get localLogStartOffset(): bigint {
    const base = this.#segments[0].baseOffset;
    return base > this.#logStartOffset ? base : this.#logStartOffset;
  }

  get #active(): Segment {
    return this.#segments[this.#segments.length - 1];
  }

  segments(): SegmentInfo[] {
    return this.#segments.map((segment) => segment.info());
  }

  /**
   * Appends one or more batches as a producer sent them. Every batch is checked before anything is
   * written; offsets are written into the batches in place (outside their CRC).
   */
  append(records: Buffer): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(new LogError('LOG_CLOSED'));
    if (this.#failure) return Promise.reject(this.#failure);
    let batches: ProducedBatch[];
    try {
      batches = checkProducedBatches(records, this.#config.maxBatchBytes);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.#queue.push({ records, batches, resolve, reject });
      this.#startDrain();
    });
  }

  #startDrain(): void {
    if (this.#draining || this.#queue.length === 0) return;
    this.#draining = true;
    this.#drained = this.#drain();
  }

  /** Runs `task` while no append is being written or waiting for its fsync; appends arriving meanwhile queue. */
  async #withWriterPaused<T>(task: () => Promise<T>): Promise<T> {
    while (this.#draining || this.#syncing) {
      await this.#drained;
      await this.#synced;
    }
    this.#draining = true;
    try {
      return await task();
    } finally {
      this.#draining = false;
      this.#startDrain();
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#failure) {
        const group = this.#queue;
        this.#queue = [];
        await this.#writeGroup(group);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #writeGroup(group: PendingAppend[]): Promise<void> {
    const written: WrittenAppend[] = [];
    try {
      if (!this.#dirty) await this.#markDirty();
      const now = this.#now();
      let run: AppendChunk[] = [];
      let runBytes = 0;
      for (const pending of group) {
        const baseOffset = this.#nextOffset;
        let offset = baseOffset;
        for (const batch of pending.batches) {
          pending.records.writeBigInt64BE(offset, batch.position + BatchOffset.BaseOffset);
          pending.records.writeInt32BE(0, batch.position + BatchOffset.PartitionLeaderEpoch);
          offset += BigInt(batch.lastOffsetDelta) + 1n;
        }
        if (this.#shouldRoll(runBytes, pending.records.length, now)) {
          if (run.length > 0) await this.#active.append(run, now);
          run = [];
          runBytes = 0;
          await this.#roll(baseOffset);
        }
        run.push({ records: pending.records, batches: pending.batches, baseOffset });
        runBytes += pending.records.length;
        this.#nextOffset = offset;
        written.push({ pending, baseOffset, lastOffset: offset - 1n });
      }
      if (run.length > 0) await this.#active.append(run, now);
    } catch (error) {
      this.#fail(error, group);
      return;
    }
    if (this.#config.flush === 'every-write') {
      this.#unsynced.push(...written);
      if (!this.#syncing) {
        this.#syncing = true;
        this.#synced = this.#syncWritten();
      }
    } else {
      this.#unflushed = true;
      this.#acknowledge(written);
    }
  }

  /**
   * The fsync half of group commit. One fsync is in flight at a time; appends written while it
   * runs wait for the next one, which covers them all. Writing never waits for an fsync, so the
   * disk sees a steady stream of writes and as few fsyncs as the load allows.
   */
  async #syncWritten(): Promise<void> {
    try {
      while (this.#unsynced.length > 0 && !this.#failure) {
        const covered = this.#unsynced;
        this.#unsynced = [];
        // Segments before the active one were synced when they were rolled.
        const segment = this.#active;
        try {
          await segment.sync();
        } catch (error) {
          this.#fail(error, covered.map((item) => item.pending));
          return;
        }
        this.#acknowledge(covered);
      }
    } finally {
      this.#syncing = false;
    }
  }

  #acknowledge(written: WrittenAppend[]): void {
    if (written.length === 0) return;
    this.#advanceHighWatermark(written[written.length - 1].lastOffset + 1n);
    const logStartOffset = this.#logStartOffset;
    for (const { pending, baseOffset, lastOffset } of written) {
      pending.resolve({ baseOffset, lastOffset, logAppendTime: -1n, logStartOffset });
    }
  }

  #shouldRoll(pendingBytes: number, incomingBytes: number, now: number): boolean {
    const active = this.#active;
    const used = active.size + pendingBytes;
    if (used === 0) return false;
    if (used + incomingBytes > this.#config.segmentBytes) return true;
    return active.rollingTimestamp !== null && now - active.rollingTimestamp >= this.#config.segmentMs;
  }

  /** The old segment is made durable before the new one exists, so only the last segment can ever have a torn tail. */
  async #roll(baseOffset: bigint): Promise<void> {
    await this.#markDirty();
    const previous = this.#active;
    await previous.close();
    const next = await Segment.create(this.dir, baseOffset, this.#config.indexIntervalBytes);
    await fsyncDirectory(this.dir);
    this.#segments.push(next);
    this.#logger.debug(
      { baseOffset: baseOffset.toString(), previousSize: previous.size },
      'rolled a new segment',
    );
  }

  /** A failed write or fsync leaves the file in an unknown state: the log stops taking writes, as Kafka takes a log dir offline. */
  #fail(error: unknown, group: PendingAppend[]): void {
    this.#failure = new LogError('KAFKA_STORAGE_ERROR', (error as Error).message, { cause: error });
    this.#logger.error({ err: error }, 'partition log write failed; the log no longer accepts writes');
    const waiting = [...group, ...this.#unsynced.map((item) => item.pending), ...this.#queue];
    for (const pending of waiting) pending.reject(this.#failure);
    this.#queue = [];
    this.#unsynced = [];
  }

  #advanceHighWatermark(offset: bigint): void {
    this.#highWatermark = offset;
    for (const waiter of this.#waiters) {
      if (offset > waiter.offset) waiter.wake();
    }
  }

  #startFlushTimer(): void {
    this.#flushTimer = setInterval(() => {
      if (!this.#unflushed || this.#failure) return;
      this.#unflushed = false;
      this.#active.sync().catch((error: unknown) => this.#fail(error, []));
    }, Math.min(this.#config.flushIntervalMs, MAX_TIMER_MS));
    this.#flushTimer.unref();
  }

  /**
   * Whole batches from the one holding `offset`, up to `maxBytes` (the first batch comes whole even
   * when larger). Empty at the high watermark. Local reads land in buffers from `allocate`.
   */
  async read(offset: bigint, maxBytes: number, allocate?: ReadAllocator): Promise<ReadResult> {
    this.#checkOffsetInRange(offset);
    const result = (records: Buffer): ReadResult => ({
      records,
      highWatermark: this.#highWatermark,
      logStartOffset: this.#logStartOffset,
    });
    const limit = this.#highWatermark;
    if (offset >= limit) return result(Buffer.alloc(0));
    const segments = this.#segments;
    if (this.#remote && offset < segments[0].baseOffset) {
      const remote = await (await this.#loadedRemote()).read(offset, maxBytes, limit);
      if (remote) return result(remote);
    }
    // Offsets a closed segment lost to corruption are skipped: the next segment answers.
    for (let i = this.#segmentIndexFor(segments, offset); i < segments.length; i++) {
      const segment = segments[i];
      segment.pin();
      try {
        const records = await segment.read(offset, maxBytes, limit, allocate);
        if (records) return result(records);
      } finally {
        await segment.unpin();
      }
    }
    return result(Buffer.alloc(0));
  }

  /** The first offset whose record timestamp is at least `timestamp` (ListOffsets by time). */
  async offsetForTimestamp(timestamp: bigint): Promise<{ offset: bigint; timestamp: bigint } | null> {
    if (this.#closed) throw new LogError('LOG_CLOSED');
    const limit = this.#highWatermark;
    const logStartOffset = this.#logStartOffset;
    if (this.#remote && logStartOffset < this.#segments[0].baseOffset) {
      const remote = await this.#loadedRemote();
      const found = await remote.offsetForTimestamp(timestamp, logStartOffset, this.#segments[0].baseOffset, this.#decompress);
      if (found) return found;
    }
    for (const segment of this.#segments) {
      if (segment.maxTimestamp < timestamp || segment.nextOffset <= logStartOffset) continue;
      segment.pin();
      try {
        const found = await this.#findTimestampIn(segment, timestamp, logStartOffset, limit);
        if (found) return found;
      } finally {
        await segment.unpin();
      }
    }
    return null;
  }

  async #findTimestampIn(
    segment: Segment,
    timestamp: bigint,
    logStartOffset: bigint,
    limit: bigint,
  ): Promise<{ offset: bigint; timestamp: bigint } | null> {
    const indexed = await segment.timestampScanStart(timestamp);
    const start = indexed > logStartOffset ? indexed : logStartOffset;
    for await (const batch of segment.headers(start)) {
      if (batch.baseOffset >= limit) return null;
      if (batch.lastOffset < start || batch.maxTimestamp < timestamp) continue;
      const found = await recordAtOrAfter(await segment.readBatch(batch), timestamp, start, this.#decompress);
      if (found) return found;
    }
    return null;
  }

  /**
   * Resolves once the high watermark passes `offset`, or after `timeoutMs`, or when `signal` aborts,
   * whichever comes first. Never rejects: Fetch long-polling answers with whatever is there.
   */
  waitForData(offset: bigint, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#highWatermark > offset || this.#closed || signal?.aborted || timeoutMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        this.#waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { offset, wake };
      const timer = setTimeout(wake, Math.min(timeoutMs, MAX_TIMER_MS));
      signal?.addEventListener('abort', wake, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Advances the log start offset (DeleteRecords) and drops the segments wholly below it. */
  deleteRecordsBefore(offset: bigint): Promise<bigint> {
    return this.#exclusive(async () => {
      if (offset > this.#highWatermark || offset < 0n) {
        throw new LogError('OFFSET_OUT_OF_RANGE', `${offset} is not in [0, ${this.#highWatermark}]`);
      }
      if (offset > this.#logStartOffset) {
        this.#logStartOffset = offset;
        await this.#recordStart(offset);
        let below = 0;
        while (below < this.#segments.length - 1 && this.#segments[below].nextOffset <= offset) below++;
        await this.#deleteOldest(below);
        if (this.#remote) {
          const remote = await this.#loadedRemote();
          await remote.deleteOldest(remote.segments.filter((segment) => segment.endOffset < offset).length);
        }
      }
      return this.#logStartOffset;
    });
  }

  /**
   * Deletes the oldest closed segments past retention time or beyond the size limit. When every
   * record, the active segment's included, is past retention time, the active segment is rolled
   * first (as Kafka does), so an idle partition's data expires too; the new active segment stays.
   */
  applyRetention(now = this.#now()): Promise<{ deletedSegments: number }> {
    if (this.#remote) {
      return this.#exclusive(async () => {
        const result = await this.#applyTieredRetention(now);
        return { deletedSegments: result.deletedLocalSegments + result.deletedRemoteSegments };
      });
    }
    return this.#exclusive(async () => {
      let count = segmentsToDelete(this.#segments.slice(0, -1), this.size, this.#config, now);
      if (count === this.#segments.length - 1 && this.#activeExpired(now)) {
        await this.#withWriterPaused(async () => {
          if (this.#activeExpired(now)) await this.#roll(this.#nextOffset);
        });
        count = this.#segments.length - 1;
      }
      if (count === 0) return { deletedSegments: 0 };
      const newStart = this.#segments[count].baseOffset;
      if (newStart > this.#logStartOffset) {
        this.#logStartOffset = newStart;
        await this.#recordStart(newStart);
      }
      await this.#deleteOldest(count);
      return { deletedSegments: count };
    });
  }

  /**
   * Uploads every closed, fully acknowledged segment that is not remote yet (KIP-405 copies segments
   * as soon as they close), oldest first, then applies retention: local copies beyond local
   * retention go once uploaded, remote segments beyond total retention go whole. A failed upload
   * rejects and leaves everything as it was, local copy included; the caller retries.
   */
  tier(now = this.#now()): Promise<TierResult> {
    return this.#exclusive(async () => {
      if (!this.#remote) return { uploadedSegments: 0, deletedLocalSegments: 0, deletedRemoteSegments: 0 };
      const remote = await this.#loadedRemote();
      let uploadedSegments = 0;
      for (const segment of this.#segments.slice(0, -1)) {
        if (segment.nextOffset > this.#highWatermark) break;
        if (segment.nextOffset <= this.#logStartOffset || remote.holds(segment)) continue;
        segment.pin();
        try {
          await remote.upload({ ...segment.info(), producerSnapshot: await this.#snapshotOf(segment) });
        } finally {
          await segment.unpin();
        }
        uploadedSegments++;
      }
      return { uploadedSegments, ...(await this.#applyTieredRetention(now)) };
    });
  }

  async #snapshotOf(segment: Segment): Promise<string | undefined> {
    const path = join(this.dir, segmentFileName(segment.baseOffset, SNAPSHOT_SUFFIX));
    return access(path).then(
      () => path,
      () => undefined,
    );
  }

  /** Local copies go only once remote: a segment the store does not hold yet stays, whatever its age. */
  async #applyTieredRetention(now: number): Promise<Omit<TierResult, 'uploadedSegments'>> {
    const remote = this.#remote!;
    if (!remote.loaded) {
      try {
        await this.#loadedRemote();
      } catch {
        return { deletedLocalSegments: 0, deletedRemoteSegments: 0 };
      }
    }
    const closed = this.#segments.slice(0, -1);
    let uploaded = 0;
    while (uploaded < closed.length && remote.holds(closed[uploaded])) uploaded++;
    const deletedLocalSegments = segmentsToDelete(closed.slice(0, uploaded), this.size, localRetentionLimits(this.#config), now);
    await this.#deleteOldest(deletedLocalSegments);
    const localStart = this.#segments[0].baseOffset;
    const deletedRemoteSegments = remoteSegmentsToDelete(remote.segments, localStart, this.size, this.#config, now);
    if (deletedRemoteSegments > 0) {
      const newStart = remote.segments[deletedRemoteSegments]?.startOffset ?? localStart;
      const start = newStart < localStart ? newStart : localStart;
      if (start > this.#logStartOffset) {
        this.#logStartOffset = start;
        await this.#recordStart(start);
      }
      await remote.deleteOldest(deletedRemoteSegments);
      this.#logger.info(
        { deletedRemoteSegments, logStartOffset: this.#logStartOffset.toString() },
        'deleted old remote segments',
      );
    }
    return { deletedLocalSegments, deletedRemoteSegments };
  }

  /** The remote log, listed from the store on first use when it was unreachable at open. */
  async #loadedRemote(): Promise<RemoteLog> {
    const remote = this.#remote!;
    if (remote.loaded) return remote;
    this.#remoteLoading ??= remote.load().finally(() => {
      this.#remoteLoading = null;
    });
    try {
      await this.#remoteLoading;
    } catch (error) {
      throw new LogError('KAFKA_STORAGE_ERROR', `remote storage is unreachable: ${(error as Error).message}`, { cause: error });
    }
    return remote;
  }

  /**
   * Compacts the closed segments (cleanup.policy=compact): for each key only the record with the
   * highest offset in the whole log survives, and tombstones go once `deleteRetentionMs` has passed
   * since their timestamp. Offsets are kept (see compaction.ts). Each changed segment is written to
   * `<base>.log.cleaned` and swapped in so that a crash at any point leaves the old or the new
   * segment, whose indexes the next open rebuilds: indexes are removed, the clean file renamed over
   * the log, then new indexes written.
   */
  compact(options: CompactOptions = {}): Promise<CompactionResult> {
    const deleteRetentionMs = options.deleteRetentionMs ?? 86_400_000;
    const minCleanableDirtyRatio = options.minCleanableDirtyRatio ?? 0.5;
    return this.#exclusive(async () => {
      const now = options.now ?? this.#now();
      const closed = this.#segments.slice(0, -1);
      const last = this.#compacted;
      if (closed.length === 0) return { cleanedSegments: 0, removedRecords: 0 };
      if (last && now < last.tombstoneExpiry) {
        const dirtyBytes = this.size - last.size;
        const worthIt = this.#highWatermark > last.highWatermark && dirtyBytes >= minCleanableDirtyRatio * this.size;
        if (!worthIt) return { cleanedSegments: 0, removedRecords: 0 };
      }
      const end = this.#highWatermark;
      const segments = this.#segments.slice();
      const latest: KeyOffsets = new Map();
      for (const segment of segments) await this.#eachBatch(segment, end, (batch) => indexKeys(batch, latest));

      let cleanedSegments = 0;
      let removedRecords = 0;
      let tombstoneExpiry = Number.POSITIVE_INFINITY;
      for (const [i, segment] of closed.entries()) {
        const kept: Buffer[] = [];
        let removed = 0;
        await this.#eachBatch(segment, end, (batch) => {
          const result = compactBatch(batch, latest, { deleteRetentionMs, now });
          if (result.batch) kept.push(result.batch);
          removed += result.removedRecords;
          tombstoneExpiry = Math.min(tombstoneExpiry, result.tombstoneExpiry);
        });
        if (removed === 0) continue;
        await this.#replaceSegment(segment, kept, segments[i + 1]!.baseOffset);
        cleanedSegments++;
        removedRecords += removed;
      }
      this.#compacted = { highWatermark: end, size: this.size, tombstoneExpiry };
      if (cleanedSegments > 0) this.#logger.info({ cleanedSegments, removedRecords }, 'compacted the log');
      return { cleanedSegments, removedRecords };
    });
  }

  /** Calls `visit` with each whole batch of a segment below `end`. */
  async #eachBatch(segment: Segment, end: bigint, visit: (batch: Buffer) => void): Promise<void> {
    segment.pin();
    try {
      await segment.loadIndexes();
      for await (const location of segment.headers(segment.baseOffset)) {
        if (location.baseOffset >= end) break;
        visit(await segment.readBatch(location));
      }
    } finally {
      await segment.unpin();
    }
  }

  async #replaceSegment(old: Segment, batches: Buffer[], endOffset: bigint): Promise<void> {
    await this.#markDirty();
    const cleaned = `${old.files.log}${CLEANED_SUFFIX}`;
    const handle = await open(cleaned, 'w');
    try {
      await writeAllAt(handle, batches, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rm(old.files.offsetIndex, { force: true });
    await rm(old.files.timeIndex, { force: true });
    await fsyncDirectory(this.dir);
    await rename(cleaned, old.files.log);
    await fsyncDirectory(this.dir);
    const fresh = await Segment.load(this.dir, old.baseOffset, {
      indexIntervalBytes: this.#config.indexIntervalBytes,
      logger: this.#logger,
      now: this.#now(),
      endOffset,
      trustIndexes: false,
      compacted: true,
    });
    this.#segments[this.#segments.indexOf(old)] = fresh;
    // Readers still holding the old segment keep reading its (now unlinked) file until they unpin.
    await old.release();
  }

  #activeExpired(now: number): boolean {
    const active = this.#active;
    return (
      this.#config.retentionMs !== -1 &&
      active.size > 0 &&
      active.maxTimestamp >= 0n &&
      active.maxTimestamp < BigInt(now - this.#config.retentionMs)
    );
  }

  async #deleteOldest(count: number): Promise<void> {
    if (count <= 0) return;
    await this.#markDirty();
    const doomed = this.#segments.slice(0, count);
    this.#segments = this.#segments.slice(count);
    for (const segment of doomed) await segment.delete();
    await fsyncDirectory(this.dir);
    this.#logger.info(
      { deletedSegments: count, logStartOffset: this.#logStartOffset.toString() },
      'deleted old segments',
    );
  }

  /** Records durably, before the first change to the files since open, that the next open must check them. */
  #markDirty(): Promise<void> {
    if (this.#dirty) return Promise.resolve();
    this.#markingDirty ??= writeCheckpoint(this.dir, { logStartOffset: this.#logStartOffset, cleanShutdown: false }).then(() => {
      this.#dirty = true;
    });
    return this.#markingDirty;
  }

  /** A new log start offset, recorded durably (and the log marked as changed). */
  async #recordStart(logStartOffset: bigint): Promise<void> {
    await writeCheckpoint(this.dir, { logStartOffset, cleanShutdown: false });
    this.#dirty = true;
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new LogError('LOG_CLOSED'));
    const run = this.#maintenance.then(task, task);
    this.#maintenance = run.catch(() => undefined);
    return run;
  }

  /** Waits for queued appends, then makes everything written durable. */
  async flush(): Promise<void> {
    await this.#drained;
    await this.#synced;
    if (this.#failure) throw this.#failure;
    this.#unflushed = false;
    await this.#active.sync();
  }

  /** Writes out queued appends, syncs and closes every file, and records a clean shutdown. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    // Maintenance first: a retention roll holds appends back and lets them go when it ends.
    await this.#maintenance;
    await this.#drained;
    await this.#synced;
    for (const waiter of this.#waiters) waiter.wake();
    for (const segment of this.#segments) await segment.release();
    // Unchanged since a clean open, the clean record on disk still holds.
    if (this.#dirty || this.#failure !== null) await writeCheckpoint(this.dir, { logStartOffset: this.#logStartOffset, cleanShutdown: this.#failure === null });
  }

  #checkOffsetInRange(offset: bigint): void {
    if (this.#closed) throw new LogError('LOG_CLOSED');
    if (offset < this.#logStartOffset || offset > this.#highWatermark) {
      throw new LogError(
        'OFFSET_OUT_OF_RANGE',
        `${offset} is not in [${this.#logStartOffset}, ${this.#highWatermark}]`,
      );
    }
  }

  #segmentIndexFor(segments: Segment[], offset: bigint): number {
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (segments[mid].baseOffset <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/**
 * Where the log can start given its local segments: remote segments extend it downwards when they
 * reach the first local one. While the store has not been listed, the checkpoint is trusted.
 */
function earliestOffset(localBase: bigint, remote: RemoteLog | null, checkpointStart: bigint): bigint {
  if (!remote) return localBase;
  if (!remote.loaded) return checkpointStart < localBase ? checkpointStart : localBase;
  const start = remote.startOffset;
  if (start === null || remote.nextOffset! < localBase) return localBase;
  return start < localBase ? start : localBase;
}

/** Base offsets of the segments in `dir`, sorted; leftovers of interrupted writes and deletions are removed. */
async function listSegmentBases(dir: string): Promise<bigint[]> {
  const names = await readdir(dir);
  const logs = new Set<string>();
  for (const name of names) {
    const match = SEGMENT_FILE.exec(name);
    if (match && match[2] === 'log') logs.add(match[1]);
  }
  for (const name of names) {
    const match = SEGMENT_FILE.exec(name);
    const orphanIndex = match && match[2] !== 'log' && !logs.has(match[1]);
    if (orphanIndex || name.endsWith('.tmp') || name.endsWith(CLEANED_SUFFIX)) await rm(join(dir, name), { force: true });
  }
  return [...logs].map((base) => BigInt(base)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** mkdir -p whose new entries survive a crash, so acknowledged data is not lost with its directory. */
async function createDirDurably(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let created = dir; ; created = dirname(created)) {
    await fsyncDirectory(dirname(created));
    if (created === first) return;
  }
}

async function removeSegmentFiles(dir: string, baseOffset: bigint): Promise<void> {
  const base = baseOffset.toString().padStart(20, '0');
  for (const suffix of [LOG_SUFFIX, OFFSET_INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
    await rm(join(dir, base + suffix), { force: true });
  }
}
