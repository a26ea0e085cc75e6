import { internalPaths, usageReportAckSchema } from '@fjord/broker-contract';
import type { Logger } from 'pino';
import { postJson } from '../config/http-json.ts';
import type { UsageSpool } from './usage-spool.ts';

export interface UsageReporterOptions {
  clusterId: string;
  nodeId: number;
  url: string;
  token: string;
  spool: UsageSpool;
  maxSamplesPerReport: number;
  /** First pause after a failed report, doubling up to 10x while reports keep failing. */
  retryMs: number;
  logger: Logger;
}

/**
 * Sends the spool to the control plane, oldest batches first, and drops what it acknowledges.
 * Reports until the spool is empty, then sleeps until woken (a new batch) or, after a failure, for
 * a growing pause: the samples wait on disk meanwhile.
 */
export class UsageReporter {
  readonly #o: UsageReporterOptions;
  readonly #stop = new AbortController();
  #wake: (() => void) | undefined;
  #woken = false;
  #loop: Promise<void> | undefined;
  #failures = 0;

  constructor(options: UsageReporterOptions) {
    this.#o = options;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** There is something new in the spool. */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
  }

  /** Sends one report of the oldest spooled samples; false when the spool was empty. */
  async reportOnce(): Promise<boolean> {
    const batches = await this.#o.spool.pending(this.#o.maxSamplesPerReport);
    if (batches.length === 0) return false;
    const samples = batches.flatMap((b) => b.samples);
    const answer = await postJson(
      new URL(internalPaths.usage, this.#o.url),
      { authorization: `Bearer ${this.#o.token}` },
      { clusterId: this.#o.clusterId, nodeId: this.#o.nodeId, samples },
      this.#stop.signal,
    );
    const ack = usageReportAckSchema.parse(answer);
    await this.#o.spool.acknowledge(batches, new Set(ack.accepted));
    return true;
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      this.#woken = false;
      let pauseMs: number | undefined;
      try {
        while (!this.#stop.signal.aborted && (await this.reportOnce()));
        if (this.#failures > 0) this.#o.logger.info({ failures: this.#failures }, 'usage reports delivered again');
        this.#failures = 0;
      } catch (err) {
        if (this.#stop.signal.aborted) break;
        this.#failures++;
        pauseMs = Math.min(this.#o.retryMs * 2 ** (this.#failures - 1), this.#o.retryMs * 10);
        // The first failure and then every tenth, so an outage does not flood the log.
        if (this.#failures % 10 === 1) this.#o.logger.warn({ err: (err as Error).message, failures: this.#failures }, 'usage report failed; samples stay spooled');
      }
      if (this.#stop.signal.aborted || (this.#woken && pauseMs === undefined)) continue;
      await new Promise<void>((resolve) => {
        const timer = pauseMs === undefined ? undefined : setTimeout(resolve, pauseMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}
