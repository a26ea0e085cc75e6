/** Smallest buffer the pool hands out: a fetch of a few records still comes from the heap's own pool. */
const MIN_POOLED_BYTES = 64 * 1024;

/**
 * Buffers for log reads, used again once the response that carried them is written. A fresh
 * megabyte per fetch is external memory V8 answers with full garbage collections, which on a
 * broker with a large heap cost more than the read itself. The pool keeps at most `maxFreeBytes`
 * of free buffers in power-of-two size classes, dropping the longest unused first, so buffers of a
 * size no longer read make way; buffers in use are not counted.
 */
export class ReadBufferPool {
  /** Least recently released first. */
  readonly #free: Buffer[] = [];
  readonly #maxFreeBytes: number;
  #freeBytes = 0;

  constructor(maxFreeBytes: number) {
    this.#maxFreeBytes = maxFreeBytes;
  }

  get freeBytes(): number {
    return this.#freeBytes;
  }

  /** What one request reads into; `release()` returns its buffers once nothing refers to them any more. */
  lease(): ReadLease {
    const taken: Buffer[] = [];
    return {
      allocate: (size) => {
        if (size < MIN_POOLED_BYTES) return Buffer.allocUnsafe(size);
        const buffer = this.#take(size);
        taken.push(buffer);
        return buffer;
      },
      release: () => {
        for (const buffer of taken.splice(0)) this.#give(buffer);
      },
    };
  }

  #take(size: number): Buffer {
    const sizeClass = 2 ** Math.ceil(Math.log2(size));
    // Too large to be kept once free: rounding it up would only cost memory.
    if (sizeClass > this.#maxFreeBytes) return Buffer.allocUnsafeSlow(size);
    for (let i = this.#free.length - 1; i >= 0; i--) {
      const buffer = this.#free[i]!;
      if (buffer.length !== sizeClass) continue;
      this.#free.splice(i, 1);
      this.#freeBytes -= buffer.length;
      return buffer;
    }
    return Buffer.allocUnsafeSlow(sizeClass);
  }

  #give(buffer: Buffer): void {
    if (buffer.length > this.#maxFreeBytes) return;
    this.#free.push(buffer);
    this.#freeBytes += buffer.length;
    while (this.#freeBytes > this.#maxFreeBytes) this.#freeBytes -= this.#free.shift()!.length;
  }
}

export interface ReadLease {
  /** A buffer of at least `size` bytes, for this request only. */
  allocate(size: number): Buffer;
  /** Returns the buffers to the pool: only once the response holding them has been written. */
  release(): void;
}
