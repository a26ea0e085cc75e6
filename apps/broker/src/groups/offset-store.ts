import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDirectory, writeFileDurably } from '@fjord/durable-file';
import type { Logger } from 'pino';

export interface CommittedOffset {
  offset: bigint;
  metadata: string | null;
}

/** One committed offset, the deletion of one partition's offset (`d`), or of a whole group (`x`). */
type CommitLine =
  | { g: string; t: string; p: number; o: string; m: string | null }
  | { g: string; t: string; p: number; d: 1 }
  | { g: string; x: 1 };

const FILE = 'group-offsets.jsonl';
/** Rewrite the file as a snapshot once it holds this many more lines than live entries. */
const COMPACT_SLACK = 10_000;

/**
 * Committed consumer-group offsets. Each commit is appended as JSON lines and fsynced before it is
 * acknowledged; the file is replayed at start and compacted into a snapshot when it grows.
 */
export class OffsetStore {
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #offsets = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  #file: FileHandle | undefined;
  #lines = 0;
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, logger: Logger) {
    this.#dir = dir;
    this.#logger = logger;
  }

  static async open(dir: string, logger: Logger): Promise<OffsetStore> {
    const store = new OffsetStore(dir, logger);
    await store.#load();
    store.#file = await open(path.join(dir, FILE), 'a');
    // The file may be new: its directory entry must be as durable as the commits appended to it.
    await fsyncDirectory(dir);
    return store;
  }

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.#offsets.get(groupId)?.get(topic)?.get(partition);
  }

  /** Every committed offset of a group, by topic. */
  group(groupId: string): ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>> {
    return this.#offsets.get(groupId) ?? new Map();
  }

  groupIds(): string[] {
    return [...this.#offsets.keys()];
  }

  /** Records the commits and resolves once they are on disk. */
  commit(groupId: string, commits: { topic: string; partition: number; offset: bigint; metadata: string | null }[]): Promise<void> {
    const lines = commits.map((c) => {
      this.#set(groupId, c.topic, c.partition, { offset: c.offset, metadata: c.metadata });
      return JSON.stringify({ g: groupId, t: c.topic, p: c.partition, o: String(c.offset), m: c.metadata } satisfies CommitLine);
    });
    return this.#append(lines);
  }

  #append(lines: string[]): Promise<void> {
    const write = this.#writes.then(async () => {
      await this.#file!.write(`${lines.join('\n')}\n`);
      await this.#file!.datasync();
      this.#lines += lines.length;
      if (this.#lines > this.#liveEntries() + COMPACT_SLACK) await this.#compact();
    });
    this.#writes = write.catch((err: unknown) => this.#logger.error({ err }, 'offset commit write failed'));
    return write;
  }

  /** Drops every offset of a group, durably. */
  deleteGroup(groupId: string): Promise<void> {
    this.#offsets.delete(groupId);
    return this.#append([JSON.stringify({ g: groupId, x: 1 } satisfies CommitLine)]);
  }

  /** Drops some partitions' offsets of a group (OffsetDelete), durably. */
  deleteOffsets(groupId: string, partitions: { topic: string; partition: number }[]): Promise<void> {
    for (const { topic, partition } of partitions) this.#unset(groupId, topic, partition);
    return this.#append(partitions.map(({ topic, partition }) => JSON.stringify({ g: groupId, t: topic, p: partition, d: 1 } satisfies CommitLine)));
  }

  /** Drops a deleted topic's offsets, so a new topic of the same name starts with none. Rewrites the file (deletions are rare). */
  forgetTopic(topic: string): Promise<void> {
    for (const topics of this.#offsets.values()) topics.delete(topic);
    const write = this.#writes.then(() => this.#compact());
    this.#writes = write.catch((err: unknown) => this.#logger.error({ err }, 'offset file compaction failed'));
    return write;
  }

  async close(): Promise<void> {
    await this.#writes;
    await this.#file?.close();
  }

  #set(groupId: string, topic: string, partition: number, value: CommittedOffset): void {
    let topics = this.#offsets.get(groupId);
    if (!topics) this.#offsets.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, value);
  }

  #unset(groupId: string, topic: string, partition: number): void {
    const topics = this.#offsets.get(groupId);
    const partitions = topics?.get(topic);
    if (!topics || !partitions) return;
    partitions.delete(partition);
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.#offsets.delete(groupId);
  }

  #liveEntries(): number {
    let n = 0;
    for (const topics of this.#offsets.values()) for (const partitions of topics.values()) n += partitions.size;
    return n;
  }

  async #load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(path.join(this.#dir, FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    // A crash mid-write leaves a torn last line (a commit never acknowledged): cut it off, or the
    // next append would be glued to it.
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      this.#logger.warn('dropping a torn offset commit line');
      await truncate(path.join(this.#dir, FILE), Buffer.byteLength(text.slice(0, end)));
    }
    for (const line of text.slice(0, end).split('\n')) {
      if (line.length === 0) continue;
      try {
        const c = JSON.parse(line) as CommitLine;
        if ('x' in c) this.#offsets.delete(c.g);
        else if ('d' in c) this.#unset(c.g, c.t, c.p);
        else this.#set(c.g, c.t, c.p, { offset: BigInt(c.o), metadata: c.m });
        this.#lines++;
      } catch {
        this.#logger.warn('skipping an unreadable offset commit line');
      }
    }
  }

  async #compact(): Promise<void> {
    const lines: string[] = [];
    for (const [g, topics] of this.#offsets) {
      for (const [t, partitions] of topics) {
        for (const [p, c] of partitions) lines.push(JSON.stringify({ g, t, p, o: String(c.offset), m: c.metadata }));
      }
    }
    const file = path.join(this.#dir, FILE);
    await writeFileDurably(file, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    await this.#file!.close();
    this.#file = await open(file, 'a');
    this.#lines = lines.length;
  }
}
