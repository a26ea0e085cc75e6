import path from 'node:path';
import type { BrokerObjectStore, BrokerTiering, TieringPolicy } from '@fjord/broker-contract';
import { LogError, RemoteReadCache, remotePartitionPrefix, remoteTopicPrefix, type PartitionLog, type RemoteStorage } from '@fjord/log';
import type { ObjectStore } from '@fjord/object-store';
import type { Logger } from 'pino';

/** The partitions the agent walks: the topic registry, narrowed. */
export interface TieredTopics {
  list(): readonly { name: string; partitions: readonly PartitionLog[] }[];
}

interface Backoff {
  failures: number;
  nextAttempt: number;
}

/**
 * The broker's tiering agent (KIP-405's RemoteLogManager, one broker's share): it owns the object
 * store and the remote read cache, hands each tiered partition its `RemoteStorage`, and on a timer
 * asks every partition log to `tier()`. A partition whose upload fails waits `retryMs`, doubling up to
 * `maxRetryMs`, while the others go on; its local segments stay until an upload succeeds.
 */
export class TieringAgent {
  readonly #config: BrokerTiering;
  readonly #policy: TieringPolicy;
  readonly #store: ObjectStore;
  readonly #cache: RemoteReadCache;
  readonly #logger: Logger;
  readonly #backoff = new Map<PartitionLog, Backoff>();
  #timer: NodeJS.Timeout | null = null;
  #pass: Promise<void> | null = null;
  #closed = false;

  private constructor(config: BrokerTiering, policy: TieringPolicy, store: ObjectStore, cache: RemoteReadCache, logger: Logger) {
    this.#config = config;
    this.#policy = policy;
    this.#store = store;
    this.#cache = cache;
    this.#logger = logger;
  }

  /** The agent for `policy`, or null when the broker has no object store or no policy reached it. */
  static async open(
    config: BrokerTiering | undefined,
    policy: TieringPolicy | undefined,
    dataDir: string,
    logger: Logger,
  ): Promise<TieringAgent | null> {
    const effective = policy ?? config?.policy;
    if (!config || !effective) return null;
    // Loaded only when tiering is configured, so a broker without it never evaluates the S3 client.
    const { createObjectStore } = await import('@fjord/object-store');
    const store = createObjectStore(storeConfig(config.objectStore));
    const cache = await RemoteReadCache.open(path.join(dataDir, 'remote-cache'), { maxBytes: config.readCacheBytes });
    return new TieringAgent(config, effective, store, cache, logger);
  }

  /** What new topics default to (`remote.storage.enable`, `local.retention.ms`). */
  get topicDefaults(): { enabled: boolean; localRetentionMs: number } {
    return { enabled: this.#policy.enabled, localRetentionMs: this.#policy.localRetentionMs };
  }

  /** Where a partition's remote segments live, under `<store prefix><cluster prefix>` (see `remotePartitionPrefix`). */
  storageFor(topic: string, topicId: string, partition: number): RemoteStorage {
    return { store: this.#store, keyPrefix: remotePartitionPrefix(this.#clusterPrefix, topic, topicId, partition), cache: this.#cache };
  }

  /** Deletes every remote object of the topics of this name. */
  async deleteTopic(topic: string): Promise<number> {
    const deleted = await this.#store.deletePrefix(remoteTopicPrefix(this.#clusterPrefix, topic));
    this.#logger.info({ topic, deleted }, 'deleted the remote objects of a deleted topic');
    return deleted;
  }

  start(topics: TieredTopics): void {
    const tick = () => {
      this.#timer = null;
      this.#pass = this.runOnce(topics).finally(() => {
        this.#pass = null;
        if (!this.#closed) this.#timer = setTimeout(tick, this.#config.intervalMs).unref();
      });
    };
    this.#timer = setTimeout(tick, this.#config.intervalMs).unref();
  }

  /** One pass over every partition; partitions in back-off are skipped until their time comes. */
  async runOnce(topics: TieredTopics, now = Date.now): Promise<void> {
    for (const topic of topics.list()) {
      for (const [partition, log] of topic.partitions.entries()) {
        if (this.#closed) return;
        const backoff = this.#backoff.get(log);
        if (backoff && now() < backoff.nextAttempt) continue;
        try {
          const result = await log.tier();
          this.#backoff.delete(log);
          if (result.uploadedSegments + result.deletedLocalSegments + result.deletedRemoteSegments > 0) {
            this.#logger.debug({ topic: topic.name, partition, ...result }, 'tiering pass');
          }
        } catch (err) {
          // A log reopened by an alter-configs or closed by a delete is tiered on the next pass.
          if (err instanceof LogError && err.code === 'LOG_CLOSED') continue;
          const failures = (backoff?.failures ?? 0) + 1;
          const delay = Math.min(this.#config.retryMs * 2 ** (failures - 1), this.#config.maxRetryMs);
          this.#backoff.set(log, { failures, nextAttempt: now() + delay });
          this.#logger.warn({ err, topic: topic.name, partition, failures, retryInMs: delay }, 'tiering failed; retrying later');
        }
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#pass;
    await this.#cache.close();
    await this.#store.close();
  }

  get #clusterPrefix(): string {
    return `${this.#config.objectStore.prefix}${this.#policy.prefix}`;
  }
}

function storeConfig(config: BrokerObjectStore) {
  if (config.kind === 'fs') return { kind: 'fs' as const, root: config.root };
  const { prefix: _prefix, ...s3 } = config;
  return s3;
}
