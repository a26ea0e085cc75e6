import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeFileDurably } from '@fjord/durable-file';
import { clusterConfigSchema, type ClusterConfig } from './cluster-config.ts';

export interface ControlPlaneSourceOptions {
  url: string;
  token: string;
  clusterId: string;
  pollIntervalMs: number;
  /** Where the last good answer is kept, so a restart while the control plane is down still has credentials. */
  cachePath: string;
  logger: Logger;
  onConfig: (config: ClusterConfig) => void;
  requestTimeoutMs?: number;
}

/**
 * Pulls the cluster's configuration (credentials, quotas, tiering) from the control plane and
 * keeps the last good copy on disk. A failed poll changes nothing: the broker goes on with what it has.
 */
export class ControlPlaneSource {
  readonly #opts: ControlPlaneSourceOptions;
  #timer: NodeJS.Timeout | undefined;
  #current: ClusterConfig | undefined;
  #polling = false;
  #failing = false;

  constructor(opts: ControlPlaneSourceOptions) {
    this.#opts = opts;
  }

  get current(): ClusterConfig | undefined {
    return this.#current;
  }

  /** First poll; falls back to the disk cache when the control plane cannot answer. Then polls on a timer. */
  async start(): Promise<ClusterConfig | undefined> {
    const fresh = await this.poll();
    if (!fresh) {
      const cached = await this.#readCache();
      if (cached) {
        this.#opts.logger.warn({ version: cached.version }, 'control plane unreachable, using cached cluster config');
        this.#apply(cached);
      } else {
        this.#opts.logger.error('control plane unreachable and no cached cluster config: no credentials yet');
      }
    }
    this.#timer = setInterval(() => void this.poll(), this.#opts.pollIntervalMs);
    this.#timer.unref();
    return this.#current;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One poll. Returns the config it applied, or undefined when the control plane did not give a valid one. */
  async poll(): Promise<ClusterConfig | undefined> {
    if (this.#polling) return undefined;
    this.#polling = true;
    try {
      const config = await this.#fetch();
      if (this.#failing) this.#opts.logger.info('control plane reachable again');
      this.#failing = false;
      if (this.#current === undefined || this.#current.version !== config.version) {
        await this.#writeCache(config);
        this.#apply(config);
      }
      return config;
    } catch (err) {
      if (!this.#failing) this.#opts.logger.warn({ err: (err as Error).message }, 'cluster config poll failed');
      this.#failing = true;
      return undefined;
    } finally {
      this.#polling = false;
    }
  }

  #apply(config: ClusterConfig): void {
    this.#current = config;
    this.#opts.logger.info({ version: config.version, credentials: config.credentials.length }, 'cluster config applied');
    this.#opts.onConfig(config);
  }

  async #fetch(): Promise<ClusterConfig> {
    const { url, token, clusterId, requestTimeoutMs = 5000 } = this.#opts;
    const res = await fetch(new URL(`/internal/clusters/${encodeURIComponent(clusterId)}/config`, url), {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    if (!res.ok) throw new Error(`control plane answered ${res.status}`);
    const parsed = clusterConfigSchema.safeParse(await res.json());
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

  #writeCache(config: ClusterConfig): Promise<void> {
    return writeFileDurably(this.#opts.cachePath, JSON.stringify(config));
  }
}
