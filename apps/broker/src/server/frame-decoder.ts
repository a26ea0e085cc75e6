export class FrameSizeError extends Error {
  override name = 'FrameSizeError';
}

/**
 * Splits a TCP byte stream into Kafka frames (int32 size, then that many bytes). A frame inside one
 * chunk is returned as a subarray; only a frame spanning chunks is copied, once.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #frameSize = -1;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** Adds a chunk and returns the frames it completes. Throws FrameSizeError on a size outside [0, max]. */
  push(chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#frameSize < 0) {
        if (this.#buffered < 4) break;
        const size = this.#readSize();
        if (size < 0 || size > this.#maxFrameBytes) {
          throw new FrameSizeError(`frame size ${size} outside 0..${this.#maxFrameBytes}`);
        }
        this.#frameSize = size;
      }
      if (this.#buffered < this.#frameSize) break;
      frames.push(this.#take(this.#frameSize));
      this.#frameSize = -1;
    }
    return frames;
  }

  #readSize(): number {
    // A size prefix split across chunks is rare (tiny chunks); merging them is simplest.
    if (this.#chunks[0]!.length < 4) this.#chunks = [Buffer.concat(this.#chunks)];
    const size = this.#chunks[0]!.readInt32BE(0);
    this.#take(4);
    return size;
  }

  /** Removes `n` bytes from the front of the buffered chunks. */
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first!.length >= n) {
      if (first!.length === n) this.#chunks.shift();
      else this.#chunks[0] = first!.subarray(n);
      return first!.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}
