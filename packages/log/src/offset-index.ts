/**
 * Sparse offset index of one segment: entries of (offset - baseOffset: int32, file position: int32),
 * one for a batch every `indexIntervalBytes` of log. Each entry names the position where a batch
 * starting at that offset begins, so a lookup lands at most one interval before the batch it wants.
 */
export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: bigint;
  position: number;
}

export class OffsetIndex {
  readonly baseOffset: bigint;
  #entries: Buffer;
  #count: number;

  constructor(baseOffset: bigint, contents: Buffer = Buffer.alloc(0)) {
    this.baseOffset = baseOffset;
    this.#count = Math.floor(contents.length / OFFSET_INDEX_ENTRY_SIZE);
    this.#entries = Buffer.alloc(Math.max(64, this.#count) * OFFSET_INDEX_ENTRY_SIZE);
    contents.copy(this.#entries, 0, 0, this.#count * OFFSET_INDEX_ENTRY_SIZE);
  }

  /**
   * Whether file contents can be trusted for a segment of `logSize` bytes covering `offsetSpan` offsets:
   * whole entries, both columns strictly increasing, everything inside the segment.
   */
  static isValid(contents: Buffer, logSize: number, offsetSpan: bigint): boolean {
    if (contents.length % OFFSET_INDEX_ENTRY_SIZE !== 0) return false;
    let lastRelative = -1;
    let lastPosition = -1;
    for (let at = 0; at < contents.length; at += OFFSET_INDEX_ENTRY_SIZE) {
      const relative = contents.readInt32BE(at);
      const position = contents.readInt32BE(at + 4);
      if (relative <= lastRelative || position <= lastPosition) return false;
      lastRelative = relative;
      lastPosition = position;
    }
    return lastPosition < logSize && BigInt(lastRelative) < offsetSpan;
  }

  get count(): number {
    return this.#count;
  }

  get bytes(): Buffer {
    return this.#entries.subarray(0, this.#count * OFFSET_INDEX_ENTRY_SIZE);
  }

  last(): OffsetPosition | null {
    return this.#count === 0 ? null : this.#entryAt(this.#count - 1);
  }

  /** Adds an entry and returns its bytes for the index file. */
  append(offset: bigint, position: number): Buffer {
    if (this.#count * OFFSET_INDEX_ENTRY_SIZE === this.#entries.length) {
      const grown = Buffer.alloc(this.#entries.length * 2);
      this.#entries.copy(grown);
      this.#entries = grown;
    }
    const at = this.#count * OFFSET_INDEX_ENTRY_SIZE;
    this.#entries.writeInt32BE(Number(offset - this.baseOffset), at);
    this.#entries.writeInt32BE(position, at + 4);
    this.#count++;
    return this.#entries.subarray(at, at + OFFSET_INDEX_ENTRY_SIZE);
  }

  /** The last entry at or below `offset`; the segment's start when there is none. */
  floor(offset: bigint): OffsetPosition {
    const relative = Number(offset - this.baseOffset);
    let low = 0;
    let high = this.#count - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.#entries.readInt32BE(mid * OFFSET_INDEX_ENTRY_SIZE) <= relative) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found === -1 ? { offset: this.baseOffset, position: 0 } : this.#entryAt(found);
  }

  #entryAt(index: number): OffsetPosition {
    const at = index * OFFSET_INDEX_ENTRY_SIZE;
    return {
      offset: this.baseOffset + BigInt(this.#entries.readInt32BE(at)),
      position: this.#entries.readInt32BE(at + 4),
    };
  }
}
