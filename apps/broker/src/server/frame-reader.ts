import { FRAME_SIZE_PREFIX_BYTES, readFrameSize } from '@fjord/kafka-protocol';

const READ_BYTES = 64 * 1024;

/**
 * One read area for every connection: the socket's bytes land there and are moved out in the same
 * callback, before any other socket reads. Safe because reads and their callbacks run one at a time on
 * the event loop; it is what lets an idle connection hold no buffer at all.
 */
const sharedReadArea = Buffer.allocUnsafe(READ_BYTES);

/**
 * Splits a TCP byte stream into Kafka frames (int32 size, then that many bytes), deciding where the
 * socket reads land. Bytes arrive in the shared read area and are kept in a buffer sized to what came;
 * once a frame's size is known and allowed and its bytes are not all there, it gets a buffer of exactly
 * that size, which the socket then reads straight into. So a connection that has sent nothing holds
 * nothing, a size header alone costs at most the size limit, and a produce request reaches the log
 * without a copy.
 *
 * The codec's FrameSplitter cannot do this: it is handed chunks someone else allocated, while this
 * reader chooses the buffer before the socket reads. It shares the splitter's size check instead.
 */
export class FrameReader {
  #maxFrameBytes: number;
  readonly #readArea: Buffer;
  /** Bytes read but not yet taken as frames (whole frames, or the start of one too short to know its size). */
  #pending: Buffer | undefined;
  /** The frame being filled, and how much of it is. */
  #frame: Buffer | undefined;
  #filled = 0;
  /** Whether the last nextBuffer() was the frame's remainder rather than the read area. */
  #intoFrame = false;

  constructor(maxFrameBytes: number, readArea = sharedReadArea) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#readArea = readArea;
  }

  /** Lowers or raises the size limit for frames not yet taken (a tighter one applies before authentication). */
  set maxFrameBytes(value: number) {
    this.#maxFrameBytes = value;
  }

  /** Bytes this reader holds on to (frames not yet taken, the frame being filled). */
  get heldBytes(): number {
    return (this.#pending?.length ?? 0) + (this.#frame?.length ?? 0);
  }

  /**
   * Where the next bytes from the socket must go: the rest of the frame being filled, else the read
   * area, no more of it than one frame may take (so untaken frames stay small before authentication).
   */
  nextBuffer(): Buffer {
    this.#beginFrame();
    this.#intoFrame = this.#frame !== undefined && this.#filled < this.#frame.length;
    if (this.#intoFrame) return this.#frame!.subarray(this.#filled);
    return this.#readArea.subarray(0, Math.min(this.#readArea.length, FRAME_SIZE_PREFIX_BYTES + this.#maxFrameBytes));
  }

  /** `n` bytes were written to the start of the last nextBuffer(); next() hands out the frames they complete. */
  commit(n: number): void {
    if (this.#intoFrame) {
      this.#filled += n;
      return;
    }
    const read = this.#readArea.subarray(0, n);
    this.#pending = this.#pending ? Buffer.concat([this.#pending, read]) : read;
    this.#beginFrame();
    // Whatever stays pending is copied out of the read area, which the next socket's read overwrites.
    if (this.#pending === read) this.#pending = Buffer.from(read);
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
    const pending = this.#pending;
    if (!pending || pending.length < FRAME_SIZE_PREFIX_BYTES) return undefined;
    const size = readFrameSize(pending, 0, { maxFrameBytes: this.#maxFrameBytes });
    const end = FRAME_SIZE_PREFIX_BYTES + size;
    if (pending.length < end) return undefined;
    if (pending.length === end) {
      this.#pending = undefined;
      return pending.subarray(FRAME_SIZE_PREFIX_BYTES);
    }
    // Copied, so a frame kept by the log does not keep the frames read with it alive.
    const frame = Buffer.from(pending.subarray(FRAME_SIZE_PREFIX_BYTES, end));
    this.#pending = pending.subarray(end);
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

  /** An incomplete frame whose size is known to be allowed gets a buffer of its own, sized to it. */
  #beginFrame(): void {
    const pending = this.#pending;
    if (this.#frame || !pending || pending.length < FRAME_SIZE_PREFIX_BYTES) return;
    const size = pending.readInt32BE(0);
    // A size out of bounds is for next() to refuse, with the limit in force when the frame is taken.
    if (size < 0 || size > this.#maxFrameBytes || FRAME_SIZE_PREFIX_BYTES + size <= pending.length) return;
    this.#frame = Buffer.allocUnsafe(size);
    this.#filled = pending.copy(this.#frame, 0, FRAME_SIZE_PREFIX_BYTES);
    this.#pending = undefined;
  }
}
