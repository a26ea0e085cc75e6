import { createHash } from 'node:crypto';
import { AdminClient, type AdminClientOptions } from './admin-client.ts';
import type { ClientTls, SaslPlain } from './connection.ts';

export interface ClusterTarget {
  bootstrapServers: string;
  sasl: SaslPlain | null;
  tls: ClientTls | null;
}

export interface AdminPoolOptions extends Omit<AdminClientOptions, 'bootstrapServers' | 'sasl' | 'tls'> {
  /** An admin client unused this long is closed. */
  idleMs?: number;
  /** At most this many clusters keep open clients; the least recently used idle one makes room. */
  maxClients?: number;
}

interface Entry {
  client: AdminClient;
  fingerprint: string;
  inUse: number;
  lastUsed: number;
  /** Replaced or evicted while in use: closed when its last call ends. */
  retired: boolean;
}

/**
 * Admin clients kept per cluster, so consecutive API calls on a cluster reuse its connections. A client
 * is replaced when the cluster's address or credentials change and closed after `idleMs` unused.
 */
export class AdminPool {
  readonly #options: AdminPoolOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #idleMs: number;
  readonly #maxClients: number;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: AdminPoolOptions = {}) {
    this.#options = options;
    this.#idleMs = options.idleMs ?? 60_000;
    this.#maxClients = options.maxClients ?? 100;
  }

  /** Runs `fn` with the admin client of `clusterId`, made or reused for `target`. */
  async use<T>(clusterId: string, target: ClusterTarget, fn: (admin: AdminClient) => Promise<T>): Promise<T> {
    const entry = this.#entry(clusterId, target);
    entry.inUse++;
    try {
      return await fn(entry.client);
    } finally {
      entry.inUse--;
      entry.lastUsed = Date.now();
      if (entry.retired && entry.inUse === 0) entry.client.close();
    }
  }

  /** Number of clusters with an open client (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    for (const entry of this.#entries.values()) entry.client.close();
    this.#entries.clear();
  }

  #entry(clusterId: string, target: ClusterTarget): Entry {
    const fingerprint = createHash('sha256').update(JSON.stringify([target.bootstrapServers, target.sasl, target.tls])).digest('base64url');
    const existing = this.#entries.get(clusterId);
    if (existing?.fingerprint === fingerprint) {
      existing.lastUsed = Date.now();
      return existing;
    }
    if (existing) this.#drop(clusterId, existing);
    if (this.#entries.size >= this.#maxClients) this.#evictOne();
    const entry: Entry = {
      client: new AdminClient({ ...this.#options, ...target }),
      fingerprint,
      inUse: 0,
      lastUsed: Date.now(),
      retired: false,
    };
    this.#entries.set(clusterId, entry);
    this.#sweeper ??= setInterval(() => this.#sweep(), Math.max(100, this.#idleMs / 2)).unref();
    return entry;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [clusterId, entry] of this.#entries) {
      if (entry.inUse === 0 && now - entry.lastUsed >= this.#idleMs) this.#drop(clusterId, entry);
    }
    if (this.#entries.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  #evictOne(): void {
    let oldest: [string, Entry] | undefined;
    for (const item of this.#entries) if (item[1].inUse === 0 && (!oldest || item[1].lastUsed < oldest[1].lastUsed)) oldest = item;
    if (oldest) this.#drop(...oldest);
  }

  #drop(clusterId: string, entry: Entry): void {
    this.#entries.delete(clusterId);
    entry.retired = true;
    if (entry.inUse === 0) entry.client.close();
  }
}
