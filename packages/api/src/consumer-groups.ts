import { z } from 'zod';
import { Id } from './common.ts';
import { page } from './pagination.ts';

/** A consumer group's id as its clients name it: Kafka allows any non-empty string. */
export const GroupId = z.string().min(1).max(1024).describe('Consumer group id, as its clients name it (group.id)');

export const ClusterConsumerGroupsParams = z.object({ id: Id }).strict();
export const ConsumerGroupParams = z.object({ id: Id, groupId: GroupId }).strict();

export const ConsumerGroupType = z
  .enum(['classic', 'consumer'])
  .describe('classic: JoinGroup/SyncGroup with client-side assignment; consumer: the KIP-848 protocol with server-side assignment (group.protocol=consumer)');

const groupFields = {
  groupId: z.string(),
  type: ConsumerGroupType,
  state: z.string().describe("Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance, Assigning, Reconciling or Dead"),
  members: z.number().int().describe('Members in the group now'),
  lag: z.number().int().nullable().describe('Records behind the high watermarks, summed over the partitions with a committed offset; null with none'),
};

export const ConsumerGroupSummary = z.object(groupFields).meta({ id: 'ConsumerGroupSummary' });
export type ConsumerGroupSummary = z.infer<typeof ConsumerGroupSummary>;

export const TopicPartitions = z.object({ topic: z.string(), partitions: z.array(z.number().int()) }).meta({ id: 'TopicPartitions' });

export const ConsumerGroupMember = z
  .object({
    memberId: z.string(),
    groupInstanceId: z.string().nullable().describe('group.instance.id of a static member'),
    clientId: z.string(),
    host: z.string(),
    assignment: z.array(TopicPartitions).describe('Partitions the member owns now'),
  })
  .meta({ id: 'ConsumerGroupMember' });
export type ConsumerGroupMember = z.infer<typeof ConsumerGroupMember>;

export const ConsumerGroupOffset = z
  .object({
    topic: z.string(),
    partition: z.number().int(),
    committedOffset: z.number().int().describe('Offset of the next record the group will read'),
    highWatermark: z.number().int(),
    lag: z.number().int().describe('highWatermark - committedOffset, at least 0'),
    metadata: z.string().nullable().describe('What the client committed with the offset'),
  })
  .meta({ id: 'ConsumerGroupOffset' });
export type ConsumerGroupOffset = z.infer<typeof ConsumerGroupOffset>;

export const ConsumerGroup = z
  .object({
    ...groupFields,
    assignor: z.string().nullable().describe('The partition assignor: chosen by the members (classic) or by the group coordinator (consumer)'),
    epoch: z.number().int().nullable().describe('Generation (classic) or group epoch (consumer)'),
    memberDetails: z.array(ConsumerGroupMember),
    offsets: z.array(ConsumerGroupOffset).describe('Committed offsets, by topic and partition'),
  })
  .meta({ id: 'ConsumerGroup' });
export type ConsumerGroup = z.infer<typeof ConsumerGroup>;

export const ConsumerGroupPage = page(ConsumerGroupSummary).meta({ id: 'ConsumerGroupPage' });
