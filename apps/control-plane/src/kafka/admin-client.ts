import { Api, ErrorCode, decodeRecordBatches, type DescribeConfigsResourceResult, type RecordBatch } from '@fjord/kafka-protocol';
import { KafkaConnection, type ClientTls, type SaslPlain } from './connection.ts';
import { KafkaConnectionError, KafkaError, throwIfError } from './errors.ts';

export interface AdminClientOptions {
  /** `host:port[,host:port...]` */
  bootstrapServers: string;
  sasl: SaslPlain | null;
  tls: ClientTls | null;
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How long the broker may take to finish a topic change (CreateTopics, DeleteTopics, CreatePartitions). */
  operationTimeoutMs?: number;
}

export interface PartitionMetadata {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicMetadata {
  name: string;
  topicId?: string;
  internal: boolean;
  partitions: PartitionMetadata[];
}

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: Map<number, { host: string; port: number }>;
  topics: TopicMetadata[];
}

export interface NewTopic {
  name: string;
  partitions: number;
  /** -1: the cluster's default. */
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface ConfigEntry {
  value: string | null;
  /** Set on the topic itself, as opposed to a broker or built-in default. */
  isOverride: boolean;
  readOnly: boolean;
  sensitive: boolean;
}

export interface PartitionOffsets {
  logStartOffset: bigint;
  localLogStartOffset: bigint;
  highWatermark: bigint;
}

/** A topic-partition key: `name:partition`. */
export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

const RESOURCE_TOPIC = 2;
const GROUP_KEY = 0;
const CONFIG_SOURCE_TOPIC = 1;
const CONFIG_SET = 0;
const CONFIG_DELETE = 1;
const EARLIEST = -2n;
const LATEST = -1n;
/** KIP-405's EARLIEST_LOCAL_TIMESTAMP: the first offset still on the brokers' disks. */
const EARLIEST_LOCAL = -4n;

/**
 * A Kafka admin client for the control plane, on @fjord/kafka-protocol. Each call goes to the broker
 * Kafka expects it on (topic changes to the controller, offsets to each partition's leader, log
 * sizes to every broker), over one pipelined connection per broker that is kept until `close`.
 */
export class AdminClient {
  readonly #options: AdminClientOptions;
  readonly #bootstrap: { host: string; port: number }[];
  readonly #connections = new Map<string, Promise<KafkaConnection>>();
  #brokers = new Map<number, { host: string; port: number }>();
  #closed = false;

  constructor(options: AdminClientOptions) {
    this.#options = options;
    this.#bootstrap = parseBootstrap(options.bootstrapServers);
  }

  async metadata(topics: string[] | null): Promise<ClusterMetadata> {
    const connection = await this.#any();
    const response = await connection.send(Api.Metadata, {
      topics: topics?.map((name) => ({ name })) ?? null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    // v13+ reports request-wide failures (such as an authorization failure) at the top.
    throwIfError(response.errorCode ?? ErrorCode.NONE);
    const brokers = new Map(response.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    this.#brokers = brokers;
    const out: TopicMetadata[] = [];
    for (const t of response.topics) {
      // Asked for everything, a topic in flux (being created or deleted) is left out rather than failing the whole answer.
      if (topics === null && t.errorCode !== ErrorCode.NONE) continue;
      throwIfError(t.errorCode, t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? `topic ${t.name} does not exist` : undefined);
      out.push({
        name: t.name!,
        topicId: t.topicId,
        internal: t.isInternal ?? false,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes }))
          .sort((a, b) => a.partition - b.partition),
      });
    }
    return { clusterId: response.clusterId ?? null, controllerId: response.controllerId ?? -1, brokers, topics: out };
  }

  async createTopic(topic: NewTopic, options: { validateOnly?: boolean } = {}): Promise<void> {
    const controller = await this.#controller();
    const response = await controller.send(Api.CreateTopics, {
      topics: [
        {
          name: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicationFactor,
          assignments: [],
          configs: Object.entries(topic.configs).map(([name, value]) => ({ name, value })),
        },
      ],
      timeoutMs: this.#operationTimeoutMs,
      validateOnly: options.validateOnly ?? false,
    });
    const result = response.topics.find((t) => t.name === topic.name);
    if (!result) throw KafkaError.of('UNKNOWN_SERVER_ERROR', `CreateTopics answered without topic ${topic.name}`);
    throwIfError(result.errorCode, result.errorMessage);
  }

  async deleteTopic(name: string): Promise<void> {
    const controller = await this.#controller();
    const response = await controller.send(Api.DeleteTopics, {
      topics: [{ name, topicId: '00000000-0000-0000-0000-000000000000' }],
      topicNames: [name],
      timeoutMs: this.#operationTimeoutMs,
    });
    const result = response.responses.find((t) => t.name === name);
    if (!result) throw KafkaError.of('UNKNOWN_SERVER_ERROR', `DeleteTopics answered without topic ${name}`);
    throwIfError(result.errorCode, result.errorMessage);
  }

  /** Raises the partition count of `name` to `count`. */
  async createPartitions(name: string, count: number, options: { validateOnly?: boolean } = {}): Promise<void> {
    const controller = await this.#controller();
    const response = await controller.send(Api.CreatePartitions, {
      topics: [{ name, count, assignments: null }],
      timeoutMs: this.#operationTimeoutMs,
      validateOnly: options.validateOnly ?? false,
    });
    const result = response.results.find((t) => t.name === name);
    if (!result) throw KafkaError.of('UNKNOWN_SERVER_ERROR', `CreatePartitions answered without topic ${name}`);
    throwIfError(result.errorCode, result.errorMessage);
  }

  /** Every config of each topic, by name. */
  async describeTopicConfigs(names: string[]): Promise<Map<string, Map<string, ConfigEntry>>> {
    const out = new Map<string, Map<string, ConfigEntry>>();
    if (names.length === 0) return out;
    const connection = await this.#controller();
    const response = await connection.send(Api.DescribeConfigs, {
      resources: names.map((resourceName) => ({ resourceType: RESOURCE_TOPIC, resourceName, configurationKeys: null })),
      includeSynonyms: false,
      includeDocumentation: false,
    });
    for (const result of response.results) {
      throwIfError(result.errorCode, result.errorMessage);
      out.set(result.resourceName, new Map(result.configs.map((c) => [c.name, configEntry(c)])));
    }
    return out;
  }

  /** Sets (a string) or removes (null) topic-level overrides; other overrides stay as they are. */
  async alterTopicConfigs(name: string, changes: Record<string, string | null>, options: { validateOnly?: boolean } = {}): Promise<void> {
    const controller = await this.#controller();
    const response = await controller.send(Api.IncrementalAlterConfigs, {
      resources: [
        {
          resourceType: RESOURCE_TOPIC,
          resourceName: name,
          configs: Object.entries(changes).map(([key, value]) => ({
            name: key,
            configOperation: value === null ? CONFIG_DELETE : CONFIG_SET,
            value,
          })),
        },
      ],
      validateOnly: options.validateOnly ?? false,
    });
    const result = response.responses.find((r) => r.resourceName === name);
    if (!result) throw KafkaError.of('UNKNOWN_SERVER_ERROR', `IncrementalAlterConfigs answered without topic ${name}`);
    throwIfError(result.errorCode, result.errorMessage);
  }

  /**
   * Log start offset, local log start offset (below it, data is only in tiered storage) and high
   * watermark of each partition, keyed by `partitionKey`, asked of each leader.
   */
  async offsets(topics: TopicMetadata[]): Promise<Map<string, PartitionOffsets>> {
    const byLeader = new Map<number, Map<string, number[]>>();
    for (const topic of topics) {
      for (const p of topic.partitions) {
        const leaderTopics = byLeader.get(p.leader) ?? new Map<string, number[]>();
        leaderTopics.set(topic.name, [...(leaderTopics.get(topic.name) ?? []), p.partition]);
        byLeader.set(p.leader, leaderTopics);
      }
    }
    const out = new Map<string, PartitionOffsets>();
    await Promise.all(
      [...byLeader].map(async ([leader, leaderTopics]) => {
        const connection = await this.#node(leader);
        const ask = (timestamp: bigint) =>
          connection.send(Api.ListOffsets, {
            replicaId: -1,
            isolationLevel: 0,
            // v10+: how long a broker may take to look up offsets in remote storage (KIP-1075).
            timeoutMs: this.#operationTimeoutMs,
            topics: [...leaderTopics].map(([name, partitions]) => ({
              name,
              partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })),
            })),
          });
        const [earliest, earliestLocal, latest] = await Promise.all([ask(EARLIEST), ask(EARLIEST_LOCAL), ask(LATEST)]);
        for (const t of earliest.topics) {
          for (const p of t.partitions) {
            throwIfError(p.errorCode);
            out.set(partitionKey(t.name, p.partitionIndex), { logStartOffset: p.offset, localLogStartOffset: p.offset, highWatermark: 0n });
          }
        }
        for (const t of earliestLocal.topics) {
          for (const p of t.partitions) {
            const entry = out.get(partitionKey(t.name, p.partitionIndex));
            // An engine without tiered storage may not know -4; then every offset is local.
            if (entry && p.errorCode === ErrorCode.NONE && p.offset >= 0n) entry.localLogStartOffset = p.offset;
          }
        }
        for (const t of latest.topics) {
          for (const p of t.partitions) {
            throwIfError(p.errorCode);
            const entry = out.get(partitionKey(t.name, p.partitionIndex));
            if (entry) entry.highWatermark = p.offset;
          }
        }
      }),
    );
    return out;
  }

  /**
   * Bytes on disk of each partition's leader replica, keyed by `partitionKey` (DescribeLogDirs, asked of
   * every broker that leads one of the partitions).
   */
  async logSizes(topics: TopicMetadata[]): Promise<Map<string, bigint>> {
    const leaders = new Map<string, number>();
    for (const t of topics) for (const p of t.partitions) leaders.set(partitionKey(t.name, p.partition), p.leader);
    const out = new Map<string, bigint>();
    await Promise.all(
      [...new Set(leaders.values())].map(async (nodeId) => {
        const connection = await this.#node(nodeId);
        const response = await connection.send(Api.DescribeLogDirs, {
          topics: topics.map((t) => ({ topic: t.name, partitions: t.partitions.filter((p) => p.leader === nodeId).map((p) => p.partition) })),
        });
        throwIfError(response.errorCode ?? ErrorCode.NONE);
        for (const dir of response.results) {
          if (dir.errorCode !== ErrorCode.NONE) continue;
          for (const t of dir.topics) {
            for (const p of t.partitions) {
              const key = partitionKey(t.name, p.partitionIndex);
              if (p.isFutureKey || leaders.get(key) !== nodeId) continue;
              out.set(key, (out.get(key) ?? 0n) + p.partitionSize);
            }
          }
        }
      }),
    );
    return out;
  }

  /**
   * Record batches of one partition from `offset`, asked of its leader without waiting for more data;
   * the first batch may start before `offset` (Kafka answers whole batches), at most about `maxBytes`.
   */
  async fetch(topic: TopicMetadata, partition: number, offset: bigint, maxBytes: number): Promise<RecordBatch[]> {
    const leader = topic.partitions.find((p) => p.partition === partition)?.leader;
    if (leader === undefined) throw KafkaError.of('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic.name} has no partition ${partition}`);
    const connection = await this.#node(leader);
    const response = await connection.send(Api.Fetch, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      // Both: versions before 13 name the topic, later ones give its id (KIP-516); the codec writes what the version has.
      topics: [{ topic: topic.name, topicId: topic.topicId, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: maxBytes }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    throwIfError(response.errorCode ?? ErrorCode.NONE);
    const answered = response.responses.find((t) => (t.topicId !== undefined && t.topicId === topic.topicId) || t.topic === topic.name);
    const data = answered?.partitions.find((p) => p.partitionIndex === partition);
    if (!data) throw KafkaError.of('UNKNOWN_SERVER_ERROR', `Fetch answered without ${topic.name}-${partition}`);
    throwIfError(data.errorCode);
    return data.records ? decodeRecordBatches(data.records) : [];
  }

  close(): void {
    this.#closed = true;
    for (const connection of this.#connections.values()) connection.then((c) => c.close(), () => undefined);
    this.#connections.clear();
  }

  get #operationTimeoutMs(): number {
    return this.#options.operationTimeoutMs ?? 15_000;
  }

  /** A connection to any broker: an open one if there is one, else the bootstrap servers in turn. */
  async #any(): Promise<KafkaConnection> {
    for (const pending of this.#connections.values()) {
      const connection = await pending.catch(() => undefined);
      if (connection && !connection.closed) return connection;
    }
    let last: unknown;
    for (const server of this.#bootstrap) {
      try {
        return await this.#connect(server);
      } catch (err) {
        // Unreachable: try the next server. Refused credentials or versions would be refused by every broker.
        if (!(err instanceof KafkaConnectionError)) throw err;
        last = err;
      }
    }
    throw last;
  }

  /** The broker coordinating a consumer group (FindCoordinator), for the group calls in group-admin.ts. */
  async groupCoordinator(groupId: string): Promise<KafkaConnection> {
    const connection = await this.#any();
    const response = await connection.send(Api.FindCoordinator, { key: groupId, keyType: GROUP_KEY, coordinatorKeys: [groupId] });
    const found = response.coordinators?.[0] ?? { errorCode: response.errorCode ?? ErrorCode.NONE, errorMessage: response.errorMessage ?? null, nodeId: response.nodeId!, host: response.host!, port: response.port! };
    throwIfError(found.errorCode, found.errorMessage ?? undefined);
    this.#brokers.set(found.nodeId, { host: found.host, port: found.port });
    return this.#node(found.nodeId);
  }

  /** A connection to every broker of the cluster: ListGroups answers only for the groups each coordinates. */
  async everyBroker(): Promise<KafkaConnection[]> {
    await this.metadata([]);
    return Promise.all([...this.#brokers.keys()].map((nodeId) => this.#node(nodeId)));
  }

  async #controller(): Promise<KafkaConnection> {
    const { controllerId } = await this.metadata([]);
    return controllerId >= 0 && this.#brokers.has(controllerId) ? this.#node(controllerId) : this.#any();
  }

  async #node(nodeId: number): Promise<KafkaConnection> {
    if (!this.#brokers.has(nodeId)) await this.metadata([]);
    const broker = this.#brokers.get(nodeId);
    if (!broker) throw KafkaError.of('LEADER_NOT_AVAILABLE', `broker ${nodeId} is not in the cluster metadata`);
    return this.#connect(broker);
  }

  #connect(server: { host: string; port: number }): Promise<KafkaConnection> {
    if (this.#closed) return Promise.reject(new KafkaConnectionError('closed', 'the admin client is closed'));
    const address = `${server.host}:${server.port}`;
    const existing = this.#connections.get(address);
    if (existing) return existing;
    const opening = KafkaConnection.open({
      host: server.host,
      port: server.port,
      sasl: this.#options.sasl,
      tls: this.#options.tls,
      clientId: this.#options.clientId,
      connectTimeoutMs: this.#options.connectTimeoutMs,
      requestTimeoutMs: this.#options.requestTimeoutMs,
    });
    this.#connections.set(address, opening);
    opening.then(
      (connection) => connection.onClose(() => this.#forget(address, opening)),
      () => this.#forget(address, opening),
    );
    return opening;
  }

  #forget(address: string, connection: Promise<KafkaConnection>): void {
    if (this.#connections.get(address) === connection) this.#connections.delete(address);
  }
}

function configEntry(c: DescribeConfigsResourceResult): ConfigEntry {
  return { value: c.value, isOverride: c.configSource === CONFIG_SOURCE_TOPIC, readOnly: c.readOnly, sensitive: c.isSensitive };
}

function parseBootstrap(servers: string): { host: string; port: number }[] {
  const parsed = servers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const colon = s.lastIndexOf(':');
      const port = Number(s.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid bootstrap server ${JSON.stringify(s)}`);
      return { host: s.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port };
    });
  if (parsed.length === 0) throw new Error('no bootstrap servers');
  return parsed;
}
