import type { BrokerConfig } from '@fjord/broker-contract';

/** Most client addresses and keys remembered at once; the longest quiet are forgotten first, so a spray of names costs bounded memory. */
const MAX_TRACKED = 10_000;

interface Strikes {
  failures: number;
  lastAt: number;
}

type BackoffLimits = Pick<BrokerConfig['limits'], 'failedLoginDelayMs' | 'maxFailedLoginDelayMs' | 'failedLoginResetMs'>;

/**
 * Exponential back-off after failed logins, per client address and per key (as Kafka's
 * `connection.failed.authentication.delay.ms`, but growing): the failure answer is delayed, doubling
 * with each failure up to a ceiling, and forgotten after a quiet period. Successful logins are never
 * delayed, so another key, or the right secret, is answered at once.
 */
export class LoginBackoff {
  readonly #limits: BackoffLimits;
  readonly #byHost = new Map<string, Strikes>();
  readonly #byKey = new Map<string, Strikes>();
  readonly #now: () => number;

  constructor(limits: BackoffLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Records a failed login and returns how long its answer waits. */
  failed(host: string, key: string | undefined): number {
    const failures = Math.max(this.#strike(this.#byHost, host), key === undefined ? 0 : this.#strike(this.#byKey, key));
    const { failedLoginDelayMs, maxFailedLoginDelayMs } = this.#limits;
    return Math.min(maxFailedLoginDelayMs, failedLoginDelayMs * 2 ** Math.min(failures - 1, 30));
  }

  #strike(map: Map<string, Strikes>, id: string): number {
    const now = this.#now();
    const known = map.get(id);
    const failures = known && now - known.lastAt < this.#limits.failedLoginResetMs ? known.failures + 1 : 1;
    // Re-inserted, so the map's order is least recently failed first.
    map.delete(id);
    map.set(id, { failures, lastAt: now });
    if (map.size > MAX_TRACKED) map.delete(map.keys().next().value!);
    return failures;
  }
}
