import { randomUUID } from 'node:crypto';
import type { UsageSample } from '@fjord/broker-contract';
import type { Logger } from 'pino';
import type { TopicRegistry } from '../topics/topic-registry.ts';
import type { UsageMeter } from './usage-meter.ts';
import type { UsageSpool } from './usage-spool.ts';

export interface UsageSamplerOptions {
  clusterId: string;
  meter: UsageMeter;
  topics: TopicRegistry;
  spool: UsageSpool;
  intervalMs: number;
  /** Told after each batch lands in the spool. */
  onSpooled: () => void;
  logger: Logger;
}

/**
 * Every `intervalMs`, turns the traffic counted since the last tick into samples per topic and
 * principal, adds each topic's stored bytes (local and remote) and partition count as gauges over the same interval,
 * and spools them (durably) before the reporter may send them.
 */
export class UsageSampler {
  readonly #o: UsageSamplerOptions;
  #timer: NodeJS.Timeout | undefined;
  #last = Date.now();
  #tick: Promise<void> | undefined;

  constructor(options: UsageSamplerOptions) {
    this.#o = options;
  }

  start(): void {
    this.#last = Date.now();
    this.#timer = setInterval(() => {
      this.#tick ??= this.sampleNow()
        .catch((err: unknown) => this.#o.logger.error({ err: (err as Error).message }, 'spooling usage samples failed'))
        .finally(() => (this.#tick = undefined));
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  /** Stops ticking after spooling what was counted since the last tick (a clean stop loses nothing). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#tick;
    await this.sampleNow();
  }

  async sampleNow(): Promise<void> {
    const startMs = this.#last;
    const endMs = Date.now();
    this.#last = endMs;
    const start = new Date(startMs).toISOString();
    const end = new Date(endMs).toISOString();
    const { clusterId } = this.#o;
    const samples: UsageSample[] = [];
    const add = (metric: UsageSample['metric'], quantity: number, topic: string, principal?: string) =>
      samples.push({ id: randomUUID(), clusterId, metric, quantity: String(quantity), start, end, topic, ...(principal !== undefined && { principal }) });
    for (const c of this.#o.meter.drain()) {
      if (c.ingress > 0) add('ingress_bytes', c.ingress, c.topic, c.principal);
      if (c.egress > 0) add('egress_bytes', c.egress, c.topic, c.principal);
    }
    if (endMs > startMs) {
      for (const topic of this.#o.topics.list()) {
        add('partitions', topic.partitions.length, topic.name);
        add('hot_stored_bytes', topic.partitions.reduce((sum, log) => sum + log.size, 0), topic.name);
        // Remote (tiered) bytes are billed apart; most topics have none, and no sample means none.
        const cold = topic.partitions.reduce((sum, log) => sum + log.remoteSize, 0);
        if (cold > 0) add('cold_stored_bytes', cold, topic.name);
      }
    }
    if (samples.length === 0) return;
    await this.#o.spool.append(samples);
    this.#o.onSpooled();
  }
}
