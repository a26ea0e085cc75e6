import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { LogError, PartitionLog, type RemoteStorage } from '@fjord/log';
import type { Logger } from 'pino';
import { writeFileDurably } from '@fjord/durable-file';
import {
  cleanupPolicies,
  effectiveTopicConfig,
  localRetention,
  topicConfigProblem,
  topicConfigsConflict,
  type BrokerTopicDefaults,
} from './topic-configs.ts';
import { TopicError } from './topic-error.ts';
import { topicNameProblem } from './topic-name.ts';

export interface Topic {
  readonly name: string;
  readonly topicId: string;
  /** Only the overrides; defaults come from the broker config. Replaced whole by alterConfigs. */
  configs: Readonly<Record<string, string>>;
  readonly partitions: PartitionLog[];
}

interface StoredTopic {
  name: string;
  topicId: string;
  partitions: number;
  configs: Record<string, string>;
}

interface RegistryFile {
  version: 1;
  topics: StoredTopic[];
}

export interface TopicRegistryOptions {
  dataDir: string;
  defaults: BrokerTopicDefaults;
  maxPartitions: number;
  /** Why the cluster's plan forbids these topic config overrides (valid as values), or undefined. */
  overridesProblem?: (overrides: Record<string, string | null>) => string | undefined;
  logger: Logger;
  /** Tiered storage (the tiering agent); without it every topic stays on local disk. */
  tiering?: {
    storageFor(topic: string, topicId: string, partition: number): RemoteStorage;
    deleteTopic(topic: string): Promise<number>;
  };
}

const REGISTRY_FILE = 'topics.json';
/**
 * Partition logs opened (and closed) at once: each waits on a few fsyncs (its directory, its
 * checkpoint), so a topic of many partitions opens, and a broker of thousands starts, in a fraction
 * of the time one at a time takes.
 */
const OPEN_CONCURRENCY = 32;
const PARTITION_DIR = /^(.+)-(\d+)$/;

/**
 * The broker's topics: names, ids, partition counts and config overrides, persisted in
 * `<dataDir>/topics.json`, with one PartitionLog per partition under `<dataDir>/<topic>-<partition>/`.
 * Mutations run one at a time, and the registry file is rewritten before a delete removes data,
 * so a crash never leaves a registered topic without its directories.
 */
export class TopicRegistry {
  readonly #opts: TopicRegistryOptions;
  #maxPartitions: number;
  readonly #topics = new Map<string, Topic>();
  readonly #byId = new Map<string, Topic>();
  #mutations: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(opts: TopicRegistryOptions) {
    this.#opts = opts;
    this.#maxPartitions = opts.maxPartitions;
  }

  /** The cluster's partition limit, changed when the control plane sends another; partitions already there stay. */
  set maxPartitions(limit: number) {
    this.#maxPartitions = limit;
  }

  static async open(opts: TopicRegistryOptions): Promise<TopicRegistry> {
    const registry = new TopicRegistry(opts);
    await mkdir(opts.dataDir, { recursive: true });
    const stored = await registry.#readFile();
    for (const t of stored) {
      const partitions = await registry.#openLogs(t.name, t.topicId, 0, t.partitions, t.configs);
      registry.#add({ name: t.name, topicId: t.topicId, configs: t.configs, partitions });
    }
    await registry.#removeOrphans();
    opts.logger.info({ topics: stored.length, partitions: registry.partitionCount }, 'topics loaded');
    return registry;
  }

  get(name: string): Topic | undefined {
    return this.#topics.get(name);
  }

  getById(topicId: string): Topic | undefined {
    return this.#byId.get(topicId);
  }

  list(): Topic[] {
    return [...this.#topics.values()];
  }

  partition(name: string, partition: number): PartitionLog | undefined {
    return this.#topics.get(name)?.partitions[partition];
  }

  get partitionCount(): number {
    let n = 0;
    for (const t of this.#topics.values()) n += t.partitions.length;
    return n;
  }

  effectiveConfig(topic: Topic) {
    return effectiveTopicConfig(topic.configs, this.#opts.defaults);
  }

  /** Checks a creation without doing it (also used for CreateTopics validateOnly). */
  validateCreate(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string | null>): void {
    const nameProblem = topicNameProblem(name);
    if (nameProblem) throw new TopicError('INVALID_TOPIC_EXCEPTION', nameProblem);
    if (this.#topics.has(name)) throw new TopicError('TOPIC_ALREADY_EXISTS', `topic ${name} already exists`);
    if (!Number.isInteger(numPartitions) || numPartitions < 1) {
      throw new TopicError('INVALID_PARTITIONS', 'number of partitions must be at least 1');
    }
    if (replicationFactor !== -1 && replicationFactor !== 1) {
      throw new TopicError('INVALID_REPLICATION_FACTOR', 'this cluster has one broker: replication factor must be 1');
    }
    this.#checkConfigs(configs);
    this.#checkPartitionLimit(numPartitions);
  }

  create(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string | null>): Promise<Topic> {
    return this.#serially(async () => {
      this.validateCreate(name, numPartitions, replicationFactor, configs);
      const overrides = configs as Record<string, string>;
      // Leftovers of an earlier topic of this name whose deletion could not reach the store; they sit
      // under its own topic id, so a failure here harms nothing.
      await this.#deleteRemote(name);
      const topicId = randomUUID();
      const partitions = await this.#openLogs(name, topicId, 0, numPartitions, overrides);
      const topic: Topic = { name, topicId, configs: { ...overrides }, partitions };
      this.#add(topic);
      await this.#writeFile();
      this.#opts.logger.info({ topic: name, partitions: numPartitions, topicId: topic.topicId }, 'topic created');
      return topic;
    });
  }

  delete(name: string): Promise<Topic> {
    return this.#serially(async () => {
      const topic = this.#topics.get(name);
      if (!topic) throw new TopicError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
      this.#topics.delete(name);
      this.#byId.delete(topic.topicId);
      await this.#writeFile();
      for (const [p, log] of topic.partitions.entries()) {
        await log.close();
        await rm(this.#partitionDir(name, p), { recursive: true, force: true });
      }
      await this.#deleteRemote(name);
      this.#opts.logger.info({ topic: name }, 'topic deleted');
      return topic;
    });
  }

  validateAddPartitions(name: string, count: number): Topic {
    const topic = this.#topics.get(name);
    if (!topic) throw new TopicError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
    if (!Number.isInteger(count) || count <= topic.partitions.length) {
      throw new TopicError(
        'INVALID_PARTITIONS',
        `topic ${name} has ${topic.partitions.length} partitions; the new count must be larger`,
      );
    }
    this.#checkPartitionLimit(count - topic.partitions.length);
    return topic;
  }

  addPartitions(name: string, count: number): Promise<Topic> {
    return this.#serially(async () => {
      const topic = this.validateAddPartitions(name, count);
      topic.partitions.push(...(await this.#openLogs(name, topic.topicId, topic.partitions.length, count, topic.configs)));
      await this.#writeFile();
      this.#opts.logger.info({ topic: name, partitions: count }, 'partitions added');
      return topic;
    });
  }

  validateConfigs(name: string, overrides: Record<string, string | null>): Topic {
    const topic = this.#topics.get(name);
    if (!topic) throw new TopicError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
    this.#checkConfigs(overrides);
    return topic;
  }

  /**
   * Replaces a topic's config overrides. The partition logs are reopened with the new settings;
   * a request that held a log across the swap gets a retriable error and retries on the new one.
   */
  alterConfigs(name: string, overrides: Record<string, string>): Promise<Topic> {
    return this.#serially(async () => {
      const topic = this.validateConfigs(name, overrides);
      topic.configs = { ...overrides };
      await this.#writeFile();
      for (const log of topic.partitions) await log.close();
      topic.partitions.splice(0, topic.partitions.length, ...(await this.#openLogs(name, topic.topicId, 0, topic.partitions.length, topic.configs)));
      this.#opts.logger.info({ topic: name, configs: overrides }, 'topic configs altered');
      return topic;
    });
  }

  /** Deletes segments past each topic's retention. Errors on one partition do not stop the others. */
  async applyRetention(): Promise<void> {
    for (const topic of this.list()) {
      for (const [p, log] of topic.partitions.entries()) {
        try {
          await log.applyRetention();
        } catch (err) {
          this.#opts.logger.error({ err, topic: topic.name, partition: p }, 'retention failed');
        }
      }
    }
  }

  /** Compacts the partitions of topics whose cleanup.policy includes compact. Errors on one partition do not stop the others. */
  async compactLogs(): Promise<void> {
    for (const topic of this.list()) {
      const effective = this.effectiveConfig(topic);
      if (!cleanupPolicies(effective.get('cleanup.policy')!.value)?.compact) continue;
      const deleteRetentionMs = Number(effective.get('delete.retention.ms')!.value);
      const minCleanableDirtyRatio = Number(effective.get('min.cleanable.dirty.ratio')!.value);
      for (const [p, log] of topic.partitions.entries()) {
        try {
          await log.compact({ deleteRetentionMs, minCleanableDirtyRatio });
        } catch (err) {
          // A log reopened by alterConfigs (or closed by a delete) meanwhile is compacted on the next pass.
          if (err instanceof LogError && err.code === 'LOG_CLOSED') continue;
          this.#opts.logger.error({ err, topic: topic.name, partition: p }, 'compaction failed');
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#mutations.catch(() => undefined);
    const logs = this.list().flatMap((t) => t.partitions);
    // Each close syncs its log and writes its checkpoint: as many at once as opening takes.
    for (let start = 0; start < logs.length; start += OPEN_CONCURRENCY) {
      await Promise.all(logs.slice(start, start + OPEN_CONCURRENCY).map((log) => log.close()));
    }
  }

  #checkConfigs(overrides: Record<string, string | null>): void {
    const problem = topicConfigProblem(overrides) ?? topicConfigsConflict(overrides as Record<string, string>, this.#opts.defaults);
    if (problem) throw new TopicError('INVALID_CONFIG', problem);
    const forbidden = this.#opts.overridesProblem?.(overrides);
    if (forbidden) throw new TopicError('POLICY_VIOLATION', forbidden);
  }

  #checkPartitionLimit(adding: number): void {
    const used = this.partitionCount;
    if (used + adding > this.#maxPartitions) {
      throw new TopicError(
        'POLICY_VIOLATION',
        `this cluster's partition limit is ${this.#maxPartitions} and ${used} are in use: ${adding} more would exceed it`,
      );
    }
  }

  #serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#mutations.then(() => {
      if (this.#closed) throw new TopicError('INVALID_REQUEST', 'broker is shutting down');
      return fn();
    });
    this.#mutations = run.catch(() => undefined);
    return run;
  }

  #add(topic: Topic): void {
    this.#topics.set(topic.name, topic);
    this.#byId.set(topic.topicId, topic);
  }

  /** Removes the remote objects of every topic of this name; what the store cannot delete now goes with the next creation of the name, or with the cluster. */
  async #deleteRemote(name: string): Promise<void> {
    if (!this.#opts.tiering) return;
    try {
      await this.#opts.tiering.deleteTopic(name);
    } catch (err) {
      this.#opts.logger.warn({ err, topic: name }, 'could not delete the remote objects of a deleted topic');
    }
  }

  #partitionDir(name: string, partition: number): string {
    return path.join(this.#opts.dataDir, `${name}-${partition}`);
  }

  /** Partitions `from` up to (not including) `to`, in order. */
  async #openLogs(name: string, topicId: string, from: number, to: number, overrides: Record<string, string>): Promise<PartitionLog[]> {
    const logs: PartitionLog[] = [];
    for (let start = from; start < to; start += OPEN_CONCURRENCY) {
      const end = Math.min(start + OPEN_CONCURRENCY, to);
      logs.push(...(await Promise.all(Array.from({ length: end - start }, (_, i) => this.#openLog(name, topicId, start + i, overrides)))));
    }
    return logs;
  }

  async #openLog(name: string, topicId: string, partition: number, overrides: Record<string, string>): Promise<PartitionLog> {
    const effective = effectiveTopicConfig(overrides, this.#opts.defaults);
    const num = (key: string) => Number(effective.get(key)!.value);
    const { log } = this.#opts.defaults;
    // A compact-only topic keeps every key's latest record however old: time and size retention are off.
    const deletes = cleanupPolicies(effective.get('cleanup.policy')!.value)?.delete ?? true;
    const retentionMs = deletes ? num('retention.ms') : -1;
    const retentionBytes = deletes ? num('retention.bytes') : -1;
    const tiered = this.#opts.tiering && effective.get('remote.storage.enable')!.value === 'true';
    return PartitionLog.open(this.#partitionDir(name, partition), {
      segmentBytes: num('segment.bytes'),
      segmentMs: num('segment.ms'),
      retentionMs,
      retentionBytes,
      localRetentionMs: localRetention(num('local.retention.ms'), retentionMs),
      localRetentionBytes: localRetention(num('local.retention.bytes'), retentionBytes),
      // max.message.bytes counts the batch after its offset and length fields, as in Kafka.
      maxBatchBytes: num('max.message.bytes') + 12,
      flush: log.flush,
      flushIntervalMs: log.flushIntervalMs,
    }, {
      logger: this.#opts.logger.child({ topic: name, partition }),
      remote: tiered ? this.#opts.tiering!.storageFor(name, topicId, partition) : undefined,
    });
  }

  async #readFile(): Promise<StoredTopic[]> {
    let text: string;
    try {
      text = await readFile(path.join(this.#opts.dataDir, REGISTRY_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return (JSON.parse(text) as RegistryFile).topics;
  }

  async #writeFile(): Promise<void> {
    const file: RegistryFile = {
      version: 1,
      topics: this.list().map((t) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions.length, configs: t.configs })),
    };
    await writeFileDurably(path.join(this.#opts.dataDir, REGISTRY_FILE), JSON.stringify(file, null, 2));
  }

  /** Partition directories of topics no longer registered: a delete that crashed after updating the registry. */
  async #removeOrphans(): Promise<void> {
    for (const entry of await readdir(this.#opts.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const match = PARTITION_DIR.exec(entry.name);
      if (!match) continue;
      const topic = this.#topics.get(match[1]!);
      if (topic && Number(match[2]) < topic.partitions.length) continue;
      this.#opts.logger.warn({ dir: entry.name }, 'removing data of a deleted topic');
      await rm(path.join(this.#opts.dataDir, entry.name), { recursive: true, force: true });
    }
  }
}
