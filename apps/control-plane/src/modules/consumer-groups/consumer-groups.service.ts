import type { ConsumerGroup, ConsumerGroupOffset, ConsumerGroupSummary, Page, PageQuery } from '@fjord/api';
import type { AuthContext } from '../../auth-context.ts';
import { decodeCursor, toPage } from '../../cursor.ts';
import type { Repositories } from '../../data-access.ts';
import { ApiProblem } from '../../errors.ts';
import {
  KafkaError,
  committedOffsets,
  deleteConsumerGroup,
  describeConsumerGroup,
  listConsumerGroups,
  partitionKey,
  type AdminClient,
  type AdminPool,
  type CommittedOffset,
  type GroupDescription,
  type TopicMetadata,
} from '../../kafka/index.ts';
import { authorize } from '../../permissions.ts';
import type { ClusterConnections } from '../topics/topics.service.ts';
import { topicProblem } from '../topics/topic-problems.ts';

type Deps = {
  clusters: ClusterConnections;
  kafka: AdminPool;
  repos: Pick<Repositories, 'audit'>;
};

/** The cluster's topics, read once per call: their ids name the topics of OffsetFetch v10, their partitions give the lag. */
async function clusterTopics(admin: AdminClient): Promise<{ names: Map<string, string>; topics: TopicMetadata[] }> {
  const { topics } = await admin.metadata(null);
  return { names: new Map(topics.flatMap((t) => (t.topicId ? [[t.topicId, t.name] as const] : []))), topics };
}

/** Each group's committed offsets with the lag behind the high watermarks, asked of the leaders once for all the groups. */
async function withLag(admin: AdminClient, topics: TopicMetadata[], groups: CommittedOffset[][]): Promise<ConsumerGroupOffset[][]> {
  const wanted = new Set(groups.flat().map((c) => c.topic));
  // A committed topic deleted since keeps its offsets in the group, with no high watermark to measure against: left out.
  const watermarks = wanted.size === 0 ? new Map() : await admin.offsets(topics.filter((t) => wanted.has(t.name)));
  return groups.map((committed) =>
    committed
      .filter((c) => watermarks.has(partitionKey(c.topic, c.partition)))
      .map((c) => {
        const highWatermark = watermarks.get(partitionKey(c.topic, c.partition))!.highWatermark;
        const lag = highWatermark > c.offset ? highWatermark - c.offset : 0n;
        return { topic: c.topic, partition: c.partition, committedOffset: Number(c.offset), highWatermark: Number(highWatermark), lag: Number(lag), metadata: c.metadata };
      })
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1)),
  );
}

const totalLag = (offsets: ConsumerGroupOffset[]) => (offsets.length === 0 ? null : offsets.reduce((sum, o) => sum + o.lag, 0));

function summary(group: GroupDescription, offsets: ConsumerGroupOffset[]): ConsumerGroupSummary {
  return { groupId: group.groupId, type: group.type, state: group.state, members: group.members.length, lag: totalLag(offsets) };
}

/** A refused group call, as the API answers it. */
function groupProblem(err: unknown, groupId: string): unknown {
  if (err instanceof KafkaError) {
    if (err.type === 'GROUP_ID_NOT_FOUND') return new ApiProblem('FJ_NOT_FOUND', `consumer group ${groupId} does not exist`);
    if (err.type === 'NON_EMPTY_GROUP') return new ApiProblem('FJ_CONFLICT', `consumer group ${groupId} still has members: stop its consumers first`);
  }
  return topicProblem(err, { topic: '' });
}

/**
 * Consumer groups live in the cluster's group coordinators: every call is Kafka's group admin
 * protocol (ListGroups, DescribeGroups or ConsumerGroupDescribe, OffsetFetch), so groups of any client
 * show up, classic and KIP-848 alike.
 */
export function consumerGroupsService({ clusters, kafka, repos }: Deps) {
  async function withAdmin<T>(ctx: AuthContext, clusterId: string, groupId: string, fn: (admin: AdminClient) => Promise<T>): Promise<T> {
    const target = await clusters.connection(ctx.orgId, clusterId);
    try {
      return await kafka.use(clusterId, target, fn);
    } catch (err) {
      throw groupProblem(err, groupId);
    }
  }

  /** The group as its coordinator knows it, with its committed offsets; null for a group it does not know. */
  async function describe(admin: AdminClient, groupId: string, names: Map<string, string>) {
    const group = await describeConsumerGroup(admin, groupId);
    return group && { group, committed: await committedOffsets(admin, groupId, names) };
  }

  return {
    async list(ctx: AuthContext, clusterId: string, query: PageQuery): Promise<Page<ConsumerGroupSummary>> {
      authorize(ctx, 'consumer-groups:read');
      const after = decodeCursor(query.cursor, (key) => key.length > 0);
      return withAdmin(ctx, clusterId, '', async (admin) => {
        const listed = (await listConsumerGroups(admin))
          .filter((g) => after === undefined || g.groupId > after)
          .sort((a, b) => (a.groupId < b.groupId ? -1 : 1))
          .slice(0, query.limit + 1);
        const page = toPage(listed, query.limit, (g) => g.groupId, (g) => g);
        const { names, topics } = await clusterTopics(admin);
        // Gone between the listing and the description: listed as Kafka listed it.
        const described = await Promise.all(page.items.map((listing) => describe(admin, listing.groupId, names)));
        const lags = await withLag(admin, topics, described.map((d) => d?.committed ?? []));
        const items = page.items.map((listing, i) => {
          const d = described[i];
          return d ? summary(d.group, lags[i]) : { ...listing, members: 0, lag: null };
        });
        return { items, nextCursor: page.nextCursor };
      });
    },

    async get(ctx: AuthContext, clusterId: string, groupId: string): Promise<ConsumerGroup> {
      authorize(ctx, 'consumer-groups:read');
      return withAdmin(ctx, clusterId, groupId, async (admin) => {
        const { names, topics } = await clusterTopics(admin);
        const described = await describe(admin, groupId, names);
        if (!described) throw new ApiProblem('FJ_NOT_FOUND', `consumer group ${groupId} does not exist`);
        const { group } = described;
        const [offsets] = await withLag(admin, topics, [described.committed]);
        return { ...summary(group, offsets), assignor: group.assignor, epoch: group.epoch, memberDetails: group.members, offsets };
      });
    },

    async delete(ctx: AuthContext, clusterId: string, groupId: string): Promise<void> {
      authorize(ctx, 'consumer-groups:write');
      await withAdmin(ctx, clusterId, groupId, (admin) => deleteConsumerGroup(admin, groupId));
      await repos.audit.record(ctx.orgId, { actor: ctx.actor, action: 'consumer-group.delete', resource: { type: 'consumer-group', id: `${clusterId}/${groupId}` }, requestId: ctx.requestId });
    },
  };
}
