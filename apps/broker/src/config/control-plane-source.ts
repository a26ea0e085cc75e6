import { readFile } from 'node:fs/promises';
import { clusterConfigSchema, internalPaths, type ClusterConfig } from '@fjord/broker-contract';
import type { Logger } from 'pino';
import { getJson } from './http-json.ts';
import { writeFileDurably } from '@fjord/durable-file';

export interface ControlPlaneSourceOptions {
  url: string;
  token: string;
  clusterId: string;
  /** How long one long poll may wait at the control plane for a change. */
  waitMs: number;
  /** Pause after a failed poll, doubled while failures go on (up to 10x). */
  retryMs: number;
  /** Least time between two refreshes asked for by logins with unknown keys. */
  refreshIntervalMs: number;
  /** Where the last good answer is kept, so a restart while the control plane is down still has credentials. */
  cachePath: string;
  logger: Logger;
  onConfig: (config: ClusterConfig) => void;
  /** Timeout of a refresh (and of the first fetch): a login waits at most this long for the control plane. */
  refreshTimeoutMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/**
 * The cluster's configuration (credentials, quotas, tiering) from the control plane, with the last
 * good copy kept on disk. Changes arrive through a long poll that the control plane answers as soon
 * as the config's version moves, so a revoked key is gone within moments; `refresh()` fetches at once
 * for a login naming a key not yet known. A failure changes nothing: the broker goes on with what it has.
 */
export class ControlPlaneSource {
  readonly #opts: ControlPlaneSourceOptions;
  readonly #stop = new AbortController();
  #current: ClusterConfig | undefined;
  /** Fetches are numbered as they start; an answer older than the one applied last is dropped. */
  #started = 0;
  #appliedSeq = 0;
  #failing = false;
  #loop: Promise<void> | undefined;
  #refreshing: Promise<void> | undefined;
  #lastRefreshAt = 0;
  #cacheWrite: Promise<void> = Promise.resolve();

  constructor(opts: ControlPlaneSourceOptions) {
    this.#opts = opts;
  }

  get current(): ClusterConfig | undefined {
    return this.#current;
  }

  /** First fetch, falling back to the disk cache when the control plane cannot answer; then the long poll runs. */
  async start(): Promise<ClusterConfig | undefined> {
    if (!(await this.#fetchAndApply({ timeoutMs: this.#refreshTimeoutMs }))) {
      const cached = await this.#readCache();
      if (cached) {
        this.#opts.logger.warn({ version: cached.version }, 'control plane unreachable, using cached cluster config');
        this.#apply(cached, 0);
      } else {
        this.#opts.logger.error('control plane unreachable and no cached cluster config: no credentials yet');
      }
    }
    this.#loop = this.#watch();
    return this.#current;
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await this.#refreshing;
    await this.#cacheWrite;
  }

  /**
   * Fetches the config now. Callers at the same moment share one fetch, and fetches are at least
   * `refreshIntervalMs` apart: a caller within that window waits for the next one, so a flood of
   * logins with made-up keys costs the control plane a few requests a second.
   */
  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      const wait = this.#lastRefreshAt + this.#opts.refreshIntervalMs - Date.now();
      if (wait > 0) await sleep(wait, this.#stop.signal);
      this.#lastRefreshAt = Date.now();
      await this.#fetchAndApply({ timeoutMs: this.#refreshTimeoutMs });
    })().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  get #refreshTimeoutMs(): number {
    return this.#opts.refreshTimeoutMs ?? 2_000;
  }

  async #watch(): Promise<void> {
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      const ok = await this.#fetchAndApply({ after: this.#current?.version, waitMs: this.#opts.waitMs, timeoutMs: this.#opts.waitMs + 10_000 });
      if (ok) {
        failures = 0;
        // The control plane answers at once when it does not wait (waitMs 0): poll at the retry pace then.
        if (this.#opts.waitMs === 0) await sleep(this.#opts.retryMs, this.#stop.signal);
        continue;
      }
      failures++;
      await sleep(this.#opts.retryMs * Math.min(2 ** (failures - 1), 10), this.#stop.signal);
    }
  }

  /** One fetch; true when the control plane gave a valid config (applied unless a newer answer was). */
  async #fetchAndApply(query: { after?: number; waitMs?: number; timeoutMs: number }): Promise<boolean> {
    const seq = ++this.#started;
    let config: ClusterConfig;
    try {
      config = await this.#fetch(query);
    } catch (err) {
      if (this.#stop.signal.aborted) return false;
      if (!this.#failing) this.#opts.logger.warn({ err: (err as Error).message }, 'cluster config fetch failed');
      this.#failing = true;
      return false;
    }
    if (this.#failing) this.#opts.logger.info('control plane reachable again');
    this.#failing = false;
    if (seq > this.#appliedSeq && config.version !== this.#current?.version) {
      // Applied before it is cached: a revoked key must stop working now, not after a disk write.
      this.#apply(config, seq);
      await this.#writeCache(config);
    }
    return true;
  }

  #apply(config: ClusterConfig, seq: number): void {
    this.#current = config;
    this.#appliedSeq = seq;
    this.#opts.logger.info({ version: config.version, credentials: config.credentials.length }, 'cluster config applied');
    this.#opts.onConfig(config);
  }

  async #fetch({ after, waitMs, timeoutMs }: { after?: number; waitMs?: number; timeoutMs: number }): Promise<ClusterConfig> {
    const { url, token, clusterId } = this.#opts;
    const target = new URL(internalPaths.clusterConfig(clusterId), url);
    if (after !== undefined && waitMs) {
      target.searchParams.set('after', String(after));
      target.searchParams.set('waitMs', String(waitMs));
    }
    const body = await getJson(target, { authorization: `Bearer ${token}` }, AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#stop.signal]));
    const parsed = clusterConfigSchema.safeParse(body);
    if (!parsed.success) throw new Error(`control plane sent an invalid config: ${parsed.error.message}`);
    if (parsed.data.clusterId !== clusterId) throw new Error(`control plane sent the config of ${parsed.data.clusterId}`);
    return parsed.data;
  }

  async #readCache(): Promise<ClusterConfig | undefined> {
    try {
      const parsed = clusterConfigSchema.safeParse(JSON.parse(await readFile(this.#opts.cachePath, 'utf8')));
      if (parsed.success && parsed.data.clusterId === this.#opts.clusterId) return parsed.data;
      this.#opts.logger.warn({ path: this.#opts.cachePath }, 'ignoring invalid cluster config cache');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#opts.logger.warn({ err: (err as Error).message }, 'cannot read cluster config cache');
      }
    }
    return undefined;
  }

  /** One write at a time, in the order the configs were applied, so the cache ends with the newest. */
  #writeCache(config: ClusterConfig): Promise<void> {
    const write = this.#cacheWrite.then(() => writeFileDurably(this.#opts.cachePath, JSON.stringify(config)));
    this.#cacheWrite = write.catch((err: unknown) => {
      this.#opts.logger.warn({ err: (err as Error).message }, 'cannot write cluster config cache');
    });
    return this.#cacheWrite;
  }
}
