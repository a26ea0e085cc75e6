/**
 * A byte rate over a sliding window of fixed samples, as Kafka's quota sensors measure it
 * (`quota.window.num` samples of `quota.window.size.seconds`): the bytes of the last `samples`
 * sample periods divided by the time they span. Unlike Kafka, a window younger than its span is
 * measured over its own age (at least one sample), not as if it were already full: a client does
 * not get `samples - 1` seconds of its quota as a free burst when it starts or its quota changes.
 */
export class RateWindow {
  readonly #sampleMs: number;
  readonly #since: number;
  readonly #bytes: Float64Array;
  /** The sample period (now / sampleMs, floored) each slot holds; a slot of an older period counts nothing. */
  readonly #period: Float64Array;

  constructor(samples: number, sampleMs: number, now: number) {
    this.#sampleMs = sampleMs;
    this.#since = now;
    this.#bytes = new Float64Array(samples);
    this.#period = new Float64Array(samples).fill(-Infinity);
  }

  /** Negative bytes take back what was counted (a response that was not sent). */
  record(bytes: number, now: number): void {
    const period = Math.floor(now / this.#sampleMs);
    const slot = period % this.#bytes.length;
    if (this.#period[slot] !== period) {
      this.#period[slot] = period;
      this.#bytes[slot] = 0;
    }
    this.#bytes[slot]! += bytes;
  }

  /** Bytes per second over the window. */
  rate(now: number): number {
    const period = Math.floor(now / this.#sampleMs);
    const oldest = period - this.#bytes.length + 1;
    let total = 0;
    for (let i = 0; i < this.#bytes.length; i++) if (this.#period[i]! >= oldest) total += this.#bytes[i]!;
    return (total * 1000) / this.windowMs(now);
  }

  /** The time the rate is taken over: the whole past periods and the current one so far, or the window's age if less. */
  windowMs(now: number): number {
    const full = (this.#bytes.length - 1) * this.#sampleMs + (now % this.#sampleMs);
    return Math.min(full, Math.max(this.#sampleMs, now - this.#since));
  }

  /** Longest span the window covers; a throttle longer than this would outlast every byte it counts. */
  get spanMs(): number {
    return this.#bytes.length * this.#sampleMs;
  }
}
