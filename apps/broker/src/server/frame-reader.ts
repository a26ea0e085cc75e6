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

  constructor(maxFrameBytes: number, scratchBytes = SCRATCH_BYTES) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#scratch = Buffer.allocUnsafe(scratchBytes);
  }

  /** Lowers or raises the size limit for frames not yet begun (a tighter one applies before authentication). */
  set maxFrameBytes(value: number) {
    this.#maxFrameBytes = value;
  }

  /** Where the next bytes from the socket must go; never empty. */
  nextBuffer(): Buffer {
    if (this.#frame) return this.#frame.subarray(this.#filled);
    if (this.#start > 0) {
      this.#scratch.copy(this.#scratch, 0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    return this.#scratch.subarray(this.#end);
  }

  /** `n` bytes were written to the start of the last nextBuffer(). Returns the frames they complete. */
  commit(n: number): Buffer[] {
    if (this.#frame) {
      this.#filled += n;
      if (this.#filled < this.#frame.length) return [];
      const frame = this.#frame;
      this.#frame = undefined;
      return [frame];
    }
    this.#end += n;
    const frames: Buffer[] = [];
    while (this.#end - this.#start >= FRAME_SIZE_PREFIX_BYTES) {
      const size = readFrameSize(this.#scratch, this.#start, { maxFrameBytes: this.#maxFrameBytes });
      const available = this.#end - this.#start - FRAME_SIZE_PREFIX_BYTES;
      if (available >= size) {
        frames.push(Buffer.from(this.#scratch.subarray(this.#start + 4, this.#start + 4 + size)));
        this.#start += 4 + size;
      } else if (4 + size > this.#scratch.length) {
        this.#frame = Buffer.allocUnsafe(size);
        this.#filled = this.#scratch.copy(this.#frame, 0, this.#start + 4, this.#end);
        this.#start = this.#end = 0;
        break;
      } else {
        break;
      }
    }
    return frames;
  }

  /** Takes bytes that were read elsewhere (a 'data' event, a test), copying them in. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      const target = this.nextBuffer();
      const n = chunk.copy(target, 0, at);
      at += n;
      frames.push(...this.commit(n));
    }
    return frames;
  }
}
