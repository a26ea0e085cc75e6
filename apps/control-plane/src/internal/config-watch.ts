/**
 * Holds brokers' config long polls until their cluster's config version moves. A change made by
 * this process wakes its waiters at once (`notify`); one made by another replica is seen by a single
 * batched version check every `recheckMs`, whatever the number of waiting brokers.
 */
export class ConfigWatch {
  readonly #versions: (clusterIds: string[]) => Promise<Map<string, number>>;
  readonly #recheckMs: number;
  readonly #waiters = new Map<string, Set<{ known: number; wake: () => void }>>();
  #timer: NodeJS.Timeout | undefined;
  #checking = false;
  #closed = false;

  constructor(versions: (clusterIds: string[]) => Promise<Map<string, number>>, recheckMs = 500) {
    this.#versions = versions;
    this.#recheckMs = recheckMs;
  }

  /** Resolves when `clusterId`'s version is no longer `known`, after `waitMs`, on `signal`, or on close. */
  wait(clusterId: string, known: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = {
        known,
        wake: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', waiter.wake);
          const set = this.#waiters.get(clusterId);
          set?.delete(waiter);
          if (set?.size === 0) this.#waiters.delete(clusterId);
          if (this.#waiters.size === 0) this.#stopChecking();
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, waitMs);
      signal?.addEventListener('abort', waiter.wake, { once: true });
      let set = this.#waiters.get(clusterId);
      if (!set) this.#waiters.set(clusterId, (set = new Set()));
      set.add(waiter);
      this.#startChecking();
    });
  }

  /** The cluster's config changed here: its brokers hear of it now. */
  notify(clusterId: string): void {
    for (const waiter of [...(this.#waiters.get(clusterId) ?? [])]) waiter.wake();
  }

  /** Releases every waiter (the server is closing; brokers poll again elsewhere). */
  close(): void {
    this.#closed = true;
    for (const set of [...this.#waiters.values()]) for (const waiter of [...set]) waiter.wake();
  }

  #startChecking(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#check(), this.#recheckMs);
    this.#timer.unref();
  }

  #stopChecking(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #check(): Promise<void> {
    if (this.#checking || this.#waiters.size === 0) return;
    this.#checking = true;
    try {
      const versions = await this.#versions([...this.#waiters.keys()]);
      for (const [clusterId, set] of this.#waiters) {
        const version = versions.get(clusterId);
        for (const waiter of [...set]) if (version !== waiter.known) waiter.wake();
      }
    } catch {
      // The database is away: waiters time out and brokers ask again.
    } finally {
      this.#checking = false;
    }
  }
}
