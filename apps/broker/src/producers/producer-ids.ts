import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '@fjord/durable-file';

const FILE = 'producer-ids.json';
const BLOCK = 1000n;

/**
 * Hands out producer ids for idempotent producers. Ids are reserved on disk a block at a time, so
 * an id is never given twice, even across a crash, at the cost of one small write per block.
 */
export class ProducerIdAllocator {
  readonly #file: string;
  #next = 0n;
  #reservedUpTo = 0n;
  #reserving: Promise<void> | undefined;

  private constructor(file: string) {
    this.#file = file;
  }

  static async open(dataDir: string): Promise<ProducerIdAllocator> {
    const allocator = new ProducerIdAllocator(path.join(dataDir, FILE));
    try {
      const { reservedUpTo } = JSON.parse(await readFile(allocator.#file, 'utf8')) as { reservedUpTo: string };
      allocator.#next = allocator.#reservedUpTo = BigInt(reservedUpTo);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return allocator;
  }

  async next(): Promise<bigint> {
    while (this.#next >= this.#reservedUpTo) {
      this.#reserving ??= this.#reserve().finally(() => {
        this.#reserving = undefined;
      });
      await this.#reserving;
    }
    return this.#next++;
  }

  async #reserve(): Promise<void> {
    const upTo = this.#reservedUpTo + BLOCK;
    await writeFileDurably(this.#file, JSON.stringify({ reservedUpTo: String(upTo) }));
    this.#reservedUpTo = upTo;
  }
}
