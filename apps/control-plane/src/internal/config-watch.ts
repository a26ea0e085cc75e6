import { ClusterChanges } from '../modules/clusters/cluster-changes.ts';

/**
 * Holds brokers' config long polls until their cluster's config version moves. A change made by
 * this process wakes its waiters at once (`notify`); one made by another replica is seen by a single
 * batched version check every `recheckMs`, whatever the number of waiting brokers.
 */
export class ConfigWatch {
  readonly #versions: (clusterIds: string[]) => Promise<Map<string, number>>;
  readonly #recheckMs: number;
  readonly #changes = new ClusterChanges();
  /** The versions the waiting brokers hold, per cluster (brokers of one cluster may hold different ones). */
  readonly #known = new Map<string, number[]>();
  #timer: NodeJS.Timeout | undefined;
  #checking = false;

  constructor(versions: (clusterIds: string[]) => Promise<Map<string, number>>, recheckMs = 500) {
    this.#versions = versions;
    this.#recheckMs = recheckMs;
  }

  /** Resolves when `clusterId`'s version may no longer be `known`, after `waitMs`, on `signal`, or on close. */
  async wait(clusterId: string, known: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    const held = this.#known.get(clusterId) ?? [];
    this.#known.set(clusterId, [...held, known]);
    this.#timer ??= setInterval(() => void this.#check(), this.#recheckMs).unref();
    try {
      await this.#changes.next(clusterId, waitMs, signal);
    } finally {
      const rest = this.#known.get(clusterId)!;
      rest.splice(rest.indexOf(known), 1);
      if (rest.length === 0) this.#known.delete(clusterId);
      if (this.#known.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    }
  }

  /** The cluster's config changed here: its brokers hear of it now. */
  notify(clusterId: string): void {
    this.#changes.notify(clusterId);
  }

  /** Releases every waiter (the server is closing; brokers ask again elsewhere). */
  close(): void {
    this.#changes.close();
  }

  async #check(): Promise<void> {
    if (this.#checking || this.#known.size === 0) return;
    this.#checking = true;
    try {
      const versions = await this.#versions([...this.#known.keys()]);
      for (const [clusterId, held] of this.#known) {
        if (held.some((v) => v !== versions.get(clusterId))) this.#changes.notify(clusterId);
      }
    } catch {
      // The database is away: waiters time out and brokers ask again.
    } finally {
      this.#checking = false;
    }
  }
}
