import type { Logger } from 'pino';

export interface InvoiceFinalizerOptions {
  finalizeDue(): Promise<string[]>;
  /** Least time between two runs: the reconciler ticks every second, months end rarely. */
  everyMs?: number;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/**
 * The monthly finalization job, run by the reconciler's leader after its passes, so one replica at a
 * time finalizes; finalizing is once per invoice in the database anyway.
 */
export class InvoiceFinalizer {
  #lastRun = -Infinity;

  constructor(private readonly options: InvoiceFinalizerOptions) {}

  /** Runs when `everyMs` has passed since the last run; a failure is logged and retried next time. */
  async tick(): Promise<void> {
    if (performance.now() - this.#lastRun < (this.options.everyMs ?? 60_000)) return;
    this.#lastRun = performance.now();
    try {
      const finalized = await this.options.finalizeDue();
      if (finalized.length > 0) this.options.logger.info({ invoices: finalized }, 'invoices finalized');
    } catch (err) {
      this.options.logger.warn({ err }, 'invoice finalization failed; retried next run');
    }
  }
}
