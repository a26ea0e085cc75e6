/**
 * Sparse time index of one segment: entries of (max timestamp so far: int64, offset - baseOffset: int32),
 * added next to offset index entries whenever the segment's max timestamp has grown. Every batch up
 * to and including the one at an entry's offset has a max timestamp no greater than the entry's.
 */
export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: bigint;
  offset: bigint;
}

export class TimeIndex {
  readonly baseOffset: bigint;
  #entries: Buffer;
  #count: number;

  constructor(baseOffset: bigint, contents: Buffer = Buffer.alloc(0)) {
    this.baseOffset = baseOffset;
    this.#count = Math.floor(contents.length / TIME_INDEX_ENTRY_SIZE);
    this.#entries = Buffer.alloc(Math.max(64, this.#count) * TIME_INDEX_ENTRY_SIZE);
    contents.copy(this.#entries, 0, 0, this.#count * TIME_INDEX_ENTRY_SIZE);
  }

  /** Whole entries, both columns strictly increasing, offsets inside the segment. */
  static isValid(contents: Buffer, offsetSpan: bigint): boolean {
    if (contents.length % TIME_INDEX_ENTRY_SIZE !== 0) return false;
    let lastTimestamp: bigint | null = null;
    let lastRelative = -1;
    for (let at = 0; at < contents.length; at += TIME_INDEX_ENTRY_SIZE) {
      const timestamp = contents.readBigInt64BE(at);
      const relative = contents.readInt32BE(at + 8);
      if ((lastTimestamp !== null && timestamp <= lastTimestamp) || relative < lastRelative) return false;
      lastTimestamp = timestamp;
      lastRelative = relative;
    }
    return BigInt(lastRelative) < offsetSpan;
  }

  get count(): number {
    return this.#count;
  }

  get bytes(): Buffer {
    return this.#entries.subarray(0, this.#count * TIME_INDEX_ENTRY_SIZE);
  }

  last(): TimestampOffset | null {
    return this.#count === 0 ? null : this.#entryAt(this.#count - 1);
  }

  /** Adds an entry and returns its bytes for the index file. */
  append(timestamp: bigint, offset: bigint): Buffer {
    if (this.#count * TIME_INDEX_ENTRY_SIZE === this.#entries.length) {
      const grown = Buffer.alloc(this.#entries.length * 2);
      this.#entries.copy(grown);
      this.#entries = grown;
    }
    const at = this.#count * TIME_INDEX_ENTRY_SIZE;
    this.#entries.writeBigInt64BE(timestamp, at);
    this.#entries.writeInt32BE(Number(offset - this.baseOffset), at + 8);
    this.#count++;
    return this.#entries.subarray(at, at + TIME_INDEX_ENTRY_SIZE);
  }

  /** The last entry whose timestamp is below `timestamp`: no batch up to its offset can hold that timestamp. */
  lastBelow(timestamp: bigint): TimestampOffset | null {
    let low = 0;
    let high = this.#count - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.#entries.readBigInt64BE(mid * TIME_INDEX_ENTRY_SIZE) < timestamp) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found === -1 ? null : this.#entryAt(found);
  }

  #entryAt(index: number): TimestampOffset {
    const at = index * TIME_INDEX_ENTRY_SIZE;
    return {
      timestamp: this.#entries.readBigInt64BE(at),
      offset: this.baseOffset + BigInt(this.#entries.readInt32BE(at + 8)),
    };
  }
}
