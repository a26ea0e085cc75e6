import type { UsageItem, UsageList } from '@fjord/api';
import { UsageQuery } from '@fjord/api';
import { aggregate, bucketStart, clusterTimeIn, formatQuantity, HOUR_MS, type Dimension, type UsageRecord } from '@fjord/metering';
import type { z } from 'zod';
import type { AuthContext } from '../../auth-context.ts';
import type { Repositories } from '../../data-access.ts';
import { notFound } from '../../errors.ts';
import { authorize } from '../../permissions.ts';
import { unitOf } from './usage-units.ts';

type Deps = { repos: Pick<Repositories, 'usage' | 'meteredClusters'>; clock: () => Date };

const HOUR = Number(HOUR_MS);

export function usageService({ repos, clock }: Deps) {
  return {
    /** The organization's usage bucketed by hour or day; cluster-hours come from the clusters' lives, up to now. */
    async get(ctx: AuthContext, query: z.output<typeof UsageQuery>): Promise<UsageList> {
      authorize(ctx, 'billing:read');
      const from = new Date(query.from);
      const to = new Date(query.to);
      // A deleted cluster's usage stays visible; another organization's cluster is not found.
      if (query.clusterId && !(await repos.meteredClusters.get(ctx.orgId, query.clusterId))) throw notFound('cluster', query.clusterId);
      const hourly = await repos.usage.hourly(ctx.orgId, { from, to, clusterId: query.clusterId });
      const records: UsageRecord[] = hourly.map((h) => ({
        clusterId: h.clusterId,
        dimension: h.dimension as Dimension,
        quantity: BigInt(h.quantity),
        at: h.hour.getTime(),
        ...(h.topic !== null && { topic: h.topic }),
        ...(h.apiKeyId !== null && { apiKeyId: h.apiKeyId }),
      }));
      const until = Math.min(to.getTime(), clock().getTime());
      for (const cluster of await repos.meteredClusters.livingIn(ctx.orgId, from, to, query.clusterId)) {
        const lifetime = { clusterId: cluster.clusterId, createdAt: cluster.createdAt.getTime(), deletedAt: cluster.deletedAt?.getTime() };
        for (let hour = bucketStart(from.getTime(), 'hour'); hour < until; hour += HOUR) {
          const quantity = clusterTimeIn(lifetime, { start: Math.max(hour, from.getTime()), end: hour + HOUR }, until);
          if (quantity > 0n) records.push({ clusterId: cluster.clusterId, dimension: 'cluster_hours', quantity, at: hour });
        }
      }
      return {
        items: aggregate(records, query.granularity, query.groupBy).map(
          (b): UsageItem => ({
            clusterId: b.clusterId,
            dimension: b.dimension,
            quantity: formatQuantity(b.dimension, b.quantity),
            unit: unitOf(b.dimension),
            start: new Date(b.start).toISOString(),
            end: new Date(b.end).toISOString(),
            ...(b.topic !== undefined && { topic: b.topic }),
            ...(b.apiKeyId !== undefined && { apiKeyId: b.apiKeyId }),
          }),
        ),
      };
    },
  };
}
