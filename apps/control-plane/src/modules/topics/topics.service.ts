import { TopicName, type CreateTopicRequest, type Page, type PageQuery, type PlanLimits, type Topic, type TopicMessages, type UpdateTopicRequest } from '@fjord/api';
import type { z } from 'zod';
import type { AuthContext } from '../../auth-context.ts';
import type { Repositories } from '../../data-access.ts';
import { decodeCursor, toPage } from '../../cursor.ts';
import { KafkaError, partitionKey, type AdminClient, type AdminPool, type ClusterTarget, type TopicMetadata } from '../../kafka/index.ts';
import { authorize } from '../../permissions.ts';
import { assertConfigsWithinQuotas, assertPartitionsWithinQuota } from './topic-limits.ts';
import { latestMessages } from './topic-messages.ts';
import { tieredBytes, type TieredStorage } from './tiered-bytes.ts';
import { topicProblem, type TopicRequestFields } from './topic-problems.ts';

/** How the control plane reaches a cluster's brokers: its bootstrap servers and the control plane's own SASL key. */
export interface ClusterConnections {
  /** Throws not-found for another organization's or an unknown cluster, and a conflict while it is not running. */
  connection(orgId: string, clusterId: string): Promise<ClusterTarget>;
}

/** The quotas that hold for a cluster, which its brokers enforce too. */
export interface ClusterQuotaSource {
  /** Throws not-found for another organization's or an unknown cluster. */
  effective(orgId: string, clusterId: string): Promise<PlanLimits>;
}

type Deps = {
  clusters: ClusterConnections;
  quotas: ClusterQuotaSource;
  kafka: AdminPool;
  repos: Pick<Repositories, 'audit'>;
  /** Where the clusters tier to; absent, no topic has remote bytes. */
  tiered?: TieredStorage;
};

const isTopicName = (key: string) => TopicName.safeParse(key).success;

/** After a create, brokers other than the controller may take a moment to learn of the topic. */
const METADATA_ATTEMPTS = 20;
const METADATA_RETRY_MS = 100;

/**
 * Topics live in the cluster, not in the database: every call here is Kafka Admin protocol to the
 * cluster's brokers, so topics made with any Kafka tool show up, and the cluster has the final word.
 */
export function topicsService({ clusters, quotas, kafka, repos, tiered }: Deps) {
  const describe = (admin: AdminClient, clusterId: string, topics: TopicMetadata[]) => describeTopics(admin, topics, tieredBytes(tiered, clusterId, topics));

  async function withAdmin<T>(ctx: AuthContext, clusterId: string, request: TopicRequestFields, fn: (admin: AdminClient) => Promise<T>): Promise<T> {
    const target = await clusters.connection(ctx.orgId, clusterId);
    try {
      return await kafka.use(clusterId, target, fn);
    } catch (err) {
      throw topicProblem(err, request);
    }
  }

  const audit = (ctx: AuthContext, action: string, clusterId: string, name: string) =>
    repos.audit.record(ctx.orgId, { actor: ctx.actor, action, resource: { type: 'topic', id: `${clusterId}/${name}` }, requestId: ctx.requestId });

  return {
    async list(ctx: AuthContext, clusterId: string, query: PageQuery): Promise<Page<Topic>> {
      authorize(ctx, 'topics:read');
      const after = decodeCursor(query.cursor, isTopicName);
      return withAdmin(ctx, clusterId, { topic: '' }, async (admin) => {
        const { topics } = await admin.metadata(null);
        const visible = topics
          .filter((t) => !t.internal && (after === undefined || t.name > after))
          .sort((a, b) => (a.name < b.name ? -1 : 1))
          .slice(0, query.limit + 1);
        const page = toPage(visible, query.limit, (t) => t.name, (t) => t);
        return { items: await describe(admin, clusterId, page.items), nextCursor: page.nextCursor };
      });
    },

    async get(ctx: AuthContext, clusterId: string, name: string): Promise<Topic> {
      authorize(ctx, 'topics:read');
      return withAdmin(ctx, clusterId, { topic: name }, async (admin) => {
        const { topics } = await admin.metadata([name]);
        return (await describe(admin, clusterId, topics))[0];
      });
    },

    async create(ctx: AuthContext, clusterId: string, body: z.output<typeof CreateTopicRequest>): Promise<Topic> {
      authorize(ctx, 'topics:write');
      const configs: Record<string, string> = Object.fromEntries(Object.entries(body.configs ?? {}).filter(([, value]) => value !== undefined));
      const request = { topic: body.name, configKeys: Object.keys(configs) };
      const limits = await quotas.effective(ctx.orgId, clusterId);
      assertConfigsWithinQuotas(limits, configs);
      return withAdmin(ctx, clusterId, request, async (admin) => {
        assertPartitionsWithinQuota(limits, partitionsInUse(await admin.metadata(null)), body.partitions);
        await admin.createTopic({ name: body.name, partitions: body.partitions, replicationFactor: body.replicationFactor ?? -1, configs });
        await audit(ctx, 'topic.create', clusterId, body.name);
        return (await describe(admin, clusterId, await createdMetadata(admin, body.name)))[0];
      });
    },

    /** Validates both changes with the cluster before applying either, so a refused config adds no partitions. */
    async update(ctx: AuthContext, clusterId: string, name: string, body: z.output<typeof UpdateTopicRequest>): Promise<Topic> {
      authorize(ctx, 'topics:write');
      const changes: Record<string, string | null> = Object.fromEntries(Object.entries(body.configs ?? {}).filter(([, value]) => value !== undefined));
      const request = { topic: name, configKeys: Object.keys(changes) };
      const limits = await quotas.effective(ctx.orgId, clusterId);
      assertConfigsWithinQuotas(limits, changes);
      return withAdmin(ctx, clusterId, request, async (admin) => {
        const [current] = (await admin.metadata([name])).topics;
        const partitions = body.partitions !== undefined && body.partitions !== current.partitions.length ? body.partitions : undefined;
        if (partitions !== undefined && partitions > current.partitions.length) {
          assertPartitionsWithinQuota(limits, partitionsInUse(await admin.metadata(null)), partitions - current.partitions.length);
        }
        const hasChanges = Object.keys(changes).length > 0;
        if (hasChanges) await admin.alterTopicConfigs(name, changes, { validateOnly: true });
        if (partitions !== undefined) await admin.createPartitions(name, partitions, { validateOnly: true });
        if (hasChanges) await admin.alterTopicConfigs(name, changes);
        if (partitions !== undefined) await admin.createPartitions(name, partitions);
        if (hasChanges || partitions !== undefined) await audit(ctx, 'topic.update', clusterId, name);
        return (await describe(admin, clusterId, await createdMetadata(admin, name, partitions)))[0];
      });
    },

    async delete(ctx: AuthContext, clusterId: string, name: string): Promise<void> {
      authorize(ctx, 'topics:write');
      await withAdmin(ctx, clusterId, { topic: name }, async (admin) => {
        await admin.deleteTopic(name);
        await audit(ctx, 'topic.delete', clusterId, name);
      });
    },

    /** The latest records of one partition, read from the cluster as a consumer would. */
    async messages(ctx: AuthContext, clusterId: string, name: string, query: { partition: number; limit: number }): Promise<TopicMessages> {
      authorize(ctx, 'topics:read');
      return withAdmin(ctx, clusterId, { topic: name }, (admin) => latestMessages(admin, name, query.partition, query.limit));
    },

    /** Closes every open connection to the clusters. */
    close(): void {
      kafka.close();
    },
  };
}

/** Partitions of every topic of the cluster: what its partition limit counts. */
const partitionsInUse = ({ topics }: { topics: TopicMetadata[] }) => topics.reduce((n, t) => n + t.partitions.length, 0);

/** Partitions with their offsets and sizes, and the configs set on each topic, in the order given. */
async function describeTopics(admin: AdminClient, topics: TopicMetadata[], remoteSizes: Promise<Map<string, number>>): Promise<Topic[]> {
  const [offsets, sizes, remote, configs] = await Promise.all([
    admin.offsets(topics),
    admin.logSizes(topics),
    remoteSizes,
    admin.describeTopicConfigs(topics.map((t) => t.name)),
  ]);
  return topics.map((t) => ({
    name: t.name,
    replicationFactor: t.partitions[0]?.replicas.length ?? 0,
    partitions: t.partitions.map(({ partition }) => {
      const key = partitionKey(t.name, partition);
      const offset = offsets.get(key);
      return {
        partition,
        logStartOffset: Number(offset?.logStartOffset ?? 0n),
        localLogStartOffset: Number(offset?.localLogStartOffset ?? 0n),
        highWatermark: Number(offset?.highWatermark ?? 0n),
        localBytes: Number(sizes.get(key) ?? 0n),
        remoteBytes: remote.get(key) ?? 0,
      };
    }),
    configs: Object.fromEntries(
      [...(configs.get(t.name) ?? new Map())].filter(([, c]) => c.isOverride && !c.sensitive && c.value !== null).map(([key, c]) => [key, c.value!]),
    ),
  }));
}

/** Metadata of a topic just created or grown, once every partition has a leader (Kafka makes leaders asynchronously). */
async function createdMetadata(admin: AdminClient, name: string, partitions?: number): Promise<TopicMetadata[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { topics } = await admin.metadata([name]);
      const ready = topics[0].partitions.every((p) => p.leader >= 0) && (partitions === undefined || topics[0].partitions.length >= partitions);
      if (ready || attempt === METADATA_ATTEMPTS) return topics;
    } catch (err) {
      const propagating = err instanceof KafkaError && (err.type === 'UNKNOWN_TOPIC_OR_PARTITION' || err.type === 'LEADER_NOT_AVAILABLE');
      if (!propagating || attempt === METADATA_ATTEMPTS) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, METADATA_RETRY_MS));
  }
}
