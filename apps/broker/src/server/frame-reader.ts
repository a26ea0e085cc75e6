import { FRAME_SIZE_PREFIX_BYTES, readFrameSize } from '@fjord/kafka-protocol';

const SCRATCH_BYTES = 64 * 1024;

/**
 * Splits a TCP byte stream into Kafka frames (int32 size, then that many bytes), deciding where the
 * socket reads land. Small frames are read into a reused scratch buffer and copied out; a frame too
 * big for it gets a buffer of its own, which the socket then reads straight into. A produce request
 * thus reaches the log without the copy, and without the garbage of 64 KiB read chunks.
 *
 * The codec's FrameSplitter cannot do this: it is handed chunks someone else allocated, while this
 * reader chooses the buffer before the socket reads. It shares the splitter's size check instead.
 */
export class FrameReader {
  #maxFrameBytes: number;
  readonly #scratch: Buffer;
  #start = 0;
  #end = 0;
  /** The large frame being filled, and how much of it is. */
  #frame: Buffer | undefined;
  #filled = 0;
  /** Whether the last nextBuffer() was the large frame's remainder rather than the scratch. */
  #intoFrame = false;

  constructor(maxFrameBytes: number, scratchBytes = SCRATCH_BYTES) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#scratch = Buffer.allocUnsafe(scratchBytes);
  }

  /** Lowers or raises the size limit for frames not yet taken (a tighter one applies before authentication). */
  set maxFrameBytes(value: number) {
    this.#maxFrameBytes = value;
  }

  /**
   * Where the next bytes from the socket must go. Only here does data move (compaction, the start of a
   * large frame), because the socket keeps reading into the buffer this returned until commit().
   * Never empty unless frames read so far have not been taken yet.
   */
  nextBuffer(): Buffer {
    if (!this.#frame || this.#filled === this.#frame.length) {
      if (this.#start > 0) {
        this.#scratch.copy(this.#scratch, 0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      }
      if (!this.#frame) this.#beginLargeFrame();
    }
    this.#intoFrame = this.#frame !== undefined && this.#filled < this.#frame.length;
    return this.#intoFrame ? this.#frame!.subarray(this.#filled) : this.#scratch.subarray(this.#end);
  }

  /** `n` bytes were written to the start of the last nextBuffer(); next() hands out the frames they complete. */
  commit(n: number): void {
    if (this.#intoFrame) this.#filled += n;
    else this.#end += n;
  }

  /**
   * The next complete frame, or undefined until more bytes arrive. Frames are taken one at a time, so
   * the size limit a frame is judged by is the one in force when it is taken: a request that follows a
   * login in the same read gets the limit that applies once the login has been decided.
   */
  next(): Buffer | undefined {
    if (this.#frame) {
      if (this.#filled < this.#frame.length) return undefined;
      const frame = this.#frame;
      this.#frame = undefined;
      return frame;
    }
    if (this.#end - this.#start < FRAME_SIZE_PREFIX_BYTES) return undefined;
    const size = readFrameSize(this.#scratch, this.#start, { maxFrameBytes: this.#maxFrameBytes });
    if (this.#end - this.#start - 4 < size) return undefined;
    const frame = Buffer.from(this.#scratch.subarray(this.#start + 4, this.#start + 4 + size));
    this.#start += 4 + size;
    return frame;
  }

  /** Takes bytes that were read elsewhere (a 'data' event, a test), copying them in. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      const target = this.nextBuffer();
      const n = chunk.copy(target, 0, at);
      at += n;
      this.commit(n);
      for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    }
    return frames;
  }

  /** A frame too big for the scratch gets a buffer of its own, once its size is known to be allowed. */
  #beginLargeFrame(): void {
    if (this.#end - this.#start < FRAME_SIZE_PREFIX_BYTES) return;
    const size = this.#scratch.readInt32BE(this.#start);
    // A size out of bounds is for next() to refuse, with the limit in force when the frame is taken.
    if (size < 0 || size > this.#maxFrameBytes || 4 + size <= this.#scratch.length) return;
    this.#frame = Buffer.allocUnsafe(size);
    this.#filled = this.#scratch.copy(this.#frame, 0, this.#start + 4, this.#end);
    this.#start = this.#end = 0;
  }
}
