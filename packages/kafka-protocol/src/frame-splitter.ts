/** Every Kafka frame starts with its length as an int32, not counting these four bytes. */
export const FRAME_SIZE_PREFIX_BYTES = 4;

export interface FrameLimits {
  maxFrameBytes: number;
  /** A response needs at least its correlation id; a request, its header. */
  minFrameBytes?: number;
}

/**
 * A size prefix outside the limits: the peer is not speaking Kafka, or is hostile, and nothing after
 * it can be trusted, so the connection must close.
 */
export class FrameSizeError extends Error {
  override name = 'FrameSizeError';
  readonly size: number;
  readonly minFrameBytes: number;
  readonly maxFrameBytes: number;

  constructor(size: number, minFrameBytes: number, maxFrameBytes: number) {
    super(`frame size ${size} outside ${minFrameBytes}..${maxFrameBytes}`);
    this.size = size;
    this.minFrameBytes = minFrameBytes;
    this.maxFrameBytes = maxFrameBytes;
  }
}

/** The size prefix at `offset` (four bytes must be there), or FrameSizeError if the limits refuse it. */
export function readFrameSize(bytes: Buffer, offset: number, { maxFrameBytes, minFrameBytes = 0 }: FrameLimits): number {
  const size = bytes.readInt32BE(offset);
  if (size < minFrameBytes || size > maxFrameBytes) throw new FrameSizeError(size, minFrameBytes, maxFrameBytes);
  return size;
}

/**
 * Splits a byte stream, in whatever chunks it arrives, into Kafka frames (without their size
 * prefix). No I/O: the caller feeds it what its socket read. A frame that lies within one chunk is
 * a view of that chunk; one spread over several chunks is copied once, when its last byte arrives,
 * so a large frame in many small chunks costs linear time.
 */
export class FrameSplitter implements FrameLimits {
  /** Applies to frames whose size prefix has not been read yet. */
  maxFrameBytes: number;
  minFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor({ maxFrameBytes, minFrameBytes = 0 }: FrameLimits) {
    this.maxFrameBytes = maxFrameBytes;
    this.minFrameBytes = minFrameBytes;
  }

  /** Bytes received that belong to no complete frame yet. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Takes the next chunk of the stream; returns the frames it completes, in order. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    while (this.#buffered >= FRAME_SIZE_PREFIX_BYTES) {
      const size = readFrameSize(this.#firstBytes(FRAME_SIZE_PREFIX_BYTES), 0, this);
      const end = FRAME_SIZE_PREFIX_BYTES + size;
      if (this.#buffered < end) break;
      const head = this.#firstBytes(end);
      frames.push(head.subarray(FRAME_SIZE_PREFIX_BYTES, end));
      if (head.length > end) this.#chunks[0] = head.subarray(end);
      else this.#chunks.shift();
      this.#buffered -= end;
    }
    return frames;
  }

  /** The first chunk, joined with those after it until it holds at least `n` bytes. */
  #firstBytes(n: number): Buffer {
    if (this.#chunks[0].length >= n) return this.#chunks[0];
    let count = 1;
    let length = this.#chunks[0].length;
    while (length < n) length += this.#chunks[count++].length;
    const joined = Buffer.concat(this.#chunks.slice(0, count), length);
    this.#chunks.splice(0, count, joined);
    return joined;
  }
}
