/**
 * Wakes the requests waiting on a cluster (`GET /v1/clusters/:id?waitFor=`) when this process
 * changes it: the API and the reconciler announce their transitions here. Another replica's changes
 * are not announced, so a waiter also looks again after a bounded time of its own.
 */
export class ClusterChanges {
  readonly #waiters = new Map<string, Set<() => void>>();
  #closed = false;

  /** Requests waiting right now. */
  get waiting(): number {
    let n = 0;
    for (const set of this.#waiters.values()) n += set.size;
    return n;
  }

  get closed(): boolean {
    return this.#closed;
  }

  notify(clusterId: string): void {
    for (const wake of [...(this.#waiters.get(clusterId) ?? [])]) wake();
  }

  /** Resolves at the cluster's next change, after `ms`, on abort or on close, whichever comes first. */
  next(clusterId: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(clusterId) ?? new Set();
      this.#waiters.set(clusterId, waiters);
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        waiters.delete(wake);
        if (waiters.size === 0 && this.#waiters.get(clusterId) === waiters) this.#waiters.delete(clusterId);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal?.addEventListener('abort', wake, { once: true });
      waiters.add(wake);
    });
  }

  /** Releases every waiter (the app is closing); later waits return at once. */
  close(): void {
    this.#closed = true;
    for (const waiters of [...this.#waiters.values()]) for (const wake of [...waiters]) wake();
  }
}
