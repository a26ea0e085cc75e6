import type { ConsumerGroup, ConsumerGroupSummary } from '@fjord/sdk';
import { findCluster, type Context } from '../context.ts';
import { fields, table } from '../io/table.ts';
import { confirmDelete } from './clusters.ts';

const lag = (n: number | null) => (n === null ? '-' : n);

function describeGroup(g: ConsumerGroup): string {
  return [
    fields([
      ['group', g.groupId],
      ['type', g.type],
      ['state', g.state],
      ['assignor', g.assignor],
      ['epoch', g.epoch],
      ['members', g.members],
      ['lag', lag(g.lag)],
    ]),
    '',
    g.memberDetails.length === 0
      ? 'No members.'
      : table(
          ['member', 'client', 'host', 'partitions'],
          g.memberDetails.map((m) => [m.groupInstanceId ?? m.memberId, m.clientId, m.host, m.assignment.map((a) => `${a.topic}: ${a.partitions.join(',')}`).join('; ')]),
        ),
    '',
    g.offsets.length === 0
      ? 'No committed offsets.'
      : table(['topic', 'partition', 'committed', 'high watermark', 'lag'], g.offsets.map((o) => [o.topic, o.partition, o.committedOffset, o.highWatermark, o.lag])),
  ].join('\n');
}

export async function list(ctx: Context, options: { cluster: string }) {
  const api = ctx.api();
  const cluster = await findCluster(api, options.cluster);
  const items: ConsumerGroupSummary[] = [];
  for await (const g of api.consumerGroups.all(cluster.id)) items.push(g);
  ctx.io.result(items, () => (items.length === 0 ? 'No consumer groups.' : table(['group', 'type', 'state', 'members', 'lag'], items.map((g) => [g.groupId, g.type, g.state, g.members, lag(g.lag)]))));
}

export async function describe(ctx: Context, groupId: string, options: { cluster: string }) {
  const api = ctx.api();
  const cluster = await findCluster(api, options.cluster);
  const group = await api.consumerGroups.get(cluster.id, groupId);
  ctx.io.result(group, () => describeGroup(group));
}

export async function remove(ctx: Context, groupId: string, options: { cluster: string; yes?: boolean }) {
  const api = ctx.api();
  const cluster = await findCluster(api, options.cluster);
  await confirmDelete(ctx, `consumer group ${groupId} of ${cluster.name} and its committed offsets`, options.yes);
  await api.consumerGroups.delete(cluster.id, groupId);
  ctx.io.result({ deleted: true, cluster: cluster.id, consumerGroup: groupId }, () => `consumer group ${groupId} deleted`);
}
