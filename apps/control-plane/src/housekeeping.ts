import type { FastifyBaseLogger } from 'fastify';

/** One kind of expired row, deleted at most `limit` at a time; answers how many went. */
export interface PurgeTask {
  name: string;
  purge(limit: number): Promise<number>;
}

export interface HousekeepingOptions {
  tasks: PurgeTask[];
  /** Time between rounds. */
  intervalMs: number;
  /** Rows one task deletes per round, so a backlog is worked off without one long statement. */
  batch: number;
  logger: FastifyBaseLogger;
}

/**
 * Deletes rows past their lifetime on a timer. Every replica runs it: the deletes are idempotent, and
 * a bounded batch per round keeps each one short however large the backlog.
 */
export class Housekeeping {
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;

  constructor(private readonly options: HousekeepingOptions) {}

  start(): void {
    this.#timer = setInterval(() => {
      this.#round ??= this.runOnce().finally(() => (this.#round = undefined));
    }, this.options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#round;
  }

  /** One round over every task; a failing task is logged and does not stop the others. */
  async runOnce(): Promise<void> {
    for (const task of this.options.tasks) {
      try {
        const purged = await task.purge(this.options.batch);
        if (purged > 0) this.options.logger.info({ task: task.name, purged }, 'expired rows purged');
      } catch (err) {
        this.options.logger.warn({ task: task.name, err }, 'purge failed; retried next round');
      }
    }
  }
}
