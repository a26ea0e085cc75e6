import type { TopicRegistry } from '../topics/topic-registry.ts';

/**
 * Bytes of the cluster's logs on the broker's disk, kept cheaply: a rescan (every second, from the
 * sizes the logs hold in memory, no directory walk) plus the bytes appended since. Deletions by
 * retention, DeleteRecords or topic deletion show at the next rescan.
 */
export class HotStorage {
  readonly #topics: TopicRegistry;
  #scanned = 0;
  #appendedSinceScan = 0;

  constructor(topics: TopicRegistry) {
    this.#topics = topics;
    this.rescan();
  }

  get bytes(): number {
    return this.#scanned + this.#appendedSinceScan;
  }

  appended(bytes: number): void {
    this.#appendedSinceScan += bytes;
  }

  rescan(): void {
    let total = 0;
    for (const topic of this.#topics.list()) for (const log of topic.partitions) total += log.size;
    this.#scanned = total;
    this.#appendedSinceScan = 0;
  }
}
