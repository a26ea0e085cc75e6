/** Bytes moved for one topic by one principal since the last sample. */
export interface TrafficCount {
  readonly topic: string;
  readonly principal: string | undefined;
  ingress: number;
  egress: number;
}

/**
 * Counts the record-batch bytes clients send (produce) and receive (fetch), per topic and principal,
 * in memory: the sampler turns the counts into spooled samples every few seconds. Counting is a map
 * lookup and two additions, so the produce and fetch paths barely notice it.
 */
export class UsageMeter {
  #counts = new Map<string, TrafficCount>();

  ingress(topic: string, principal: string | undefined, bytes: number): void {
    this.#count(topic, principal).ingress += bytes;
  }

  egress(topic: string, principal: string | undefined, bytes: number): void {
    if (bytes > 0) this.#count(topic, principal).egress += bytes;
  }

  /** The counts so far; counting starts again from zero. */
  drain(): TrafficCount[] {
    const counts = [...this.#counts.values()];
    this.#counts = new Map();
    return counts;
  }

  #count(topic: string, principal: string | undefined): TrafficCount {
    // A topic name has no NUL, so the key is unambiguous.
    const key = `${topic}\0${principal ?? ''}`;
    let count = this.#counts.get(key);
    if (!count) this.#counts.set(key, (count = { topic, principal, ingress: 0, egress: 0 }));
    return count;
  }
}
