import { internalPaths, type BrokerStatus } from '@fjord/broker-contract';
import type { Logger } from 'pino';
import { postJson } from '../config/http-json.ts';

export interface StatusReporterOptions {
  url: string;
  token: string;
  clusterId: string;
  intervalMs: number;
  /** The reading to send, taken when it is sent. */
  read: () => BrokerStatus;
  logger: Logger;
}

/**
 * Posts the broker's current use (partitions, hot bytes, connections, byte rates) to the control
 * plane every `intervalMs`. A gauge: a failed post is not retried, the next one replaces it.
 */
export class StatusReporter {
  readonly #opts: StatusReporterOptions;
  readonly #stop = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #posting: Promise<void> | undefined;
  #failing = false;

  constructor(opts: StatusReporterOptions) {
    this.#opts = opts;
  }

  start(): void {
    this.#timer = setInterval(() => this.#post(), this.#opts.intervalMs);
    this.#timer.unref();
    this.#post();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#stop.abort();
    await this.#posting;
  }

  #post(): void {
    // A slow control plane gets one report at a time.
    if (this.#posting) return;
    const { url, token, clusterId, intervalMs, logger } = this.#opts;
    const target = new URL(internalPaths.clusterStatus(clusterId), url);
    const signal = AbortSignal.any([AbortSignal.timeout(Math.max(intervalMs, 2_000)), this.#stop.signal]);
    this.#posting = postJson(target, { authorization: `Bearer ${token}` }, this.#opts.read(), signal)
      .then(
        () => {
          if (this.#failing) logger.info('status report delivered again');
          this.#failing = false;
        },
        (err: unknown) => {
          if (!this.#failing && !this.#stop.signal.aborted) logger.warn({ err: (err as Error).message }, 'status report failed');
          this.#failing = true;
        },
      )
      .finally(() => {
        this.#posting = undefined;
      });
  }
}
