import type { Logger } from 'pino';

/**
 * Logs an event that a flood can repeat thousands of times a second (a refused connection, a missed
 * login deadline) at most once per interval; the next line, or one at the interval's end, says how
 * many were left out.
 */
export class LogThrottle {
  readonly #logger: Logger;
  readonly #msg: string;
  readonly #intervalMs: number;
  #loggedAt = -Infinity;
  #suppressed = 0;
  #flush: NodeJS.Timeout | undefined;

  constructor(logger: Logger, msg: string, intervalMs = 1000) {
    this.#logger = logger;
    this.#msg = msg;
    this.#intervalMs = intervalMs;
  }

  note(fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now - this.#loggedAt < this.#intervalMs) {
      this.#suppressed++;
      this.#flush ??= setTimeout(() => this.#emit(fields), this.#loggedAt + this.#intervalMs - now).unref();
      return;
    }
    this.#emit(fields);
  }

  #emit(fields: Record<string, unknown>): void {
    clearTimeout(this.#flush);
    this.#flush = undefined;
    this.#loggedAt = Date.now();
    this.#logger.warn({ ...fields, ...(this.#suppressed > 0 && { alsoSinceLastLine: this.#suppressed }) }, this.#msg);
    this.#suppressed = 0;
  }
}
