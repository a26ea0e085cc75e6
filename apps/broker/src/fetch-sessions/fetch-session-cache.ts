import { randomInt } from 'node:crypto';
import type { FetchRequest } from '@fjord/kafka-protocol';
import { FetchSession } from './fetch-session.ts';

/** Kafka's defaults: max.incremental.fetch.session.cache.slots and min.incremental.fetch.session.eviction.ms. */
export const FETCH_SESSION_SLOTS = 1000;
export const FETCH_SESSION_EVICTION_MS = 120_000;

export interface FetchSessionCacheOptions {
  slots?: number;
  evictionMs?: number;
  now?: () => number;
}

/**
 * The broker's incremental fetch sessions. A session belongs to the principal that opened it: any
 * other asking for its id is told there is no such session. When every slot is taken, a new
 * session takes the slot of the one unused longest if that one has been idle past the eviction
 * time; otherwise none is opened, and the client goes on with full fetches (session id 0).
 */
export class FetchSessionCache {
  readonly #slots: number;
  readonly #evictionMs: number;
  readonly #now: () => number;
  /** Least recently used first. */
  readonly #sessions = new Map<number, FetchSession>();

  constructor({ slots = FETCH_SESSION_SLOTS, evictionMs = FETCH_SESSION_EVICTION_MS, now = Date.now }: FetchSessionCacheOptions = {}) {
    this.#slots = slots;
    this.#evictionMs = evictionMs;
    this.#now = now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The principal's session with this id, marked as just used. */
  get(id: number, principal: string): FetchSession | undefined {
    const session = this.#sessions.get(id);
    if (!session || session.principal !== principal) return undefined;
    session.lastUsedMs = this.#now();
    this.#sessions.delete(id);
    this.#sessions.set(id, session);
    return session;
  }

  close(id: number, principal: string): void {
    if (this.get(id, principal)) this.#sessions.delete(id);
  }

  /** A new session over a full request's partitions, or undefined when no slot is free. */
  open(principal: string, usesTopicIds: boolean, topics: FetchRequest['topics']): FetchSession | undefined {
    const now = this.#now();
    if (this.#sessions.size >= this.#slots) {
      const [oldestId, oldest] = this.#sessions.entries().next().value ?? [];
      if (oldest === undefined || now - oldest.lastUsedMs < this.#evictionMs) return undefined;
      this.#sessions.delete(oldestId!);
    }
    let id: number;
    do id = randomInt(1, 0x7fffffff);
    while (this.#sessions.has(id));
    const session = FetchSession.open(id, principal, usesTopicIds, topics, now);
    this.#sessions.set(id, session);
    return session;
  }
}
