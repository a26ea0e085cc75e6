import pg from 'pg';

/** Who may run the reconciler: one holder at a time across every control-plane replica. */
export interface LeaderLock {
  /** Takes the lock if it is free; true while this process holds it. */
  tryAcquire(): Promise<boolean>;
  /** Still held? A lost database session loses the lock with it. */
  readonly held: boolean;
  release(): Promise<void>;
}

/** The key of Fjord's reconciler lock (any constant shared by all replicas; distinct from the migration lock). */
const RECONCILER_LOCK_KEY = 7307366719n;

/**
 * A session-level PostgreSQL advisory lock on a connection of its own: when the holder dies its
 * session ends and the server frees the lock, so a standby's next `tryAcquire` takes over.
 */
export class PostgresLeaderLock implements LeaderLock {
  readonly #url: string;
  #client: pg.Client | undefined;
  #held = false;

  constructor(url: string) {
    this.#url = url;
  }

  get held(): boolean {
    return this.#held;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.#held) {
      // Prove the session (and so the lock) is still there before acting as leader again.
      try {
        await this.#client!.query('SELECT 1');
        return true;
      } catch {
        this.#drop();
      }
    }
    try {
      const client = this.#client ?? (await this.#connect());
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RECONCILER_LOCK_KEY.toString()]);
      this.#held = rows[0].locked === true;
    } catch {
      this.#drop();
    }
    return this.#held;
  }

  async release(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#held = false;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#url, application_name: 'fjord-reconciler-lock' });
    // Only while it is still ours: a dropped client's late 'end' must not drop its replacement (and the lock just re-taken).
    client.on('error', () => this.#client === client && this.#drop());
    client.on('end', () => this.#client === client && this.#drop());
    await client.connect();
    this.#client = client;
    return client;
  }

  #drop(): void {
    const client = this.#client;
    this.#client = undefined;
    this.#held = false;
    client?.end().catch(() => {});
  }
}

/** The embedded database belongs to one process, so that process is the only possible leader. */
export class LocalLeaderLock implements LeaderLock {
  #held = false;
  get held(): boolean {
    return this.#held;
  }
  async tryAcquire(): Promise<boolean> {
    this.#held = true;
    return true;
  }
  async release(): Promise<void> {
    this.#held = false;
  }
}
