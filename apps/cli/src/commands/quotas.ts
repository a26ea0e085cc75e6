import type { ClusterQuotas, OrganizationQuotas } from '@fjord/sdk';
import { findCluster, type Context } from '../context.ts';
import { table } from '../io/table.ts';

type Measured = { limit: number; used: number | null };

/** `used / limit`; `-` for a use the brokers have not reported yet, `unlimited` for -1. */
const share = ({ limit, used }: Measured) => `${used === null ? '-' : Math.round(used)} / ${limit === -1 ? 'unlimited' : limit}`;

function organizationText(q: OrganizationQuotas): string {
  return [
    table(
      ['organization limit', 'used', 'limit'],
      [
        ['clusters', q.clusters.used, q.clusters.limit],
        ['cloud api keys', q.apiKeys.used, q.apiKeys.limit],
        ['api keys per cluster', '', q.clusterApiKeysPerCluster.limit],
      ],
    ),
    '',
    q.clusterQuotas.length === 0
      ? 'No clusters.'
      : table(
          ['cluster', 'plan', 'ingress B/s', 'egress B/s', 'partitions', 'storage bytes', 'connections', 'api keys', 'measured'],
          q.clusterQuotas.map((c) => [
            c.name,
            c.plan,
            share(c.ingressBytesPerSecond),
            share(c.egressBytesPerSecond),
            share(c.partitions),
            share(c.storageBytes),
            share(c.connections),
            share(c.apiKeys),
            c.measuredAt ?? 'not yet',
          ]),
        ),
  ].join('\n');
}

function clusterText(name: string, q: ClusterQuotas): string {
  const limits = Object.keys(q.ceiling) as (keyof ClusterQuotas['ceiling'])[];
  const rows = limits.map((limit) => [limit, q.effective[limit], q.overrides[limit] === undefined ? 'plan' : 'set', q.ceiling[limit]]);
  const keys = q.defaultKeyQuota
    ? `default per key: ingress ${q.defaultKeyQuota.ingressBytesPerSecond ?? 'no limit'} B/s, egress ${q.defaultKeyQuota.egressBytesPerSecond ?? 'no limit'} B/s`
    : 'default per key: none (keys share the cluster quota)';
  return [`cluster ${name} (plan ${q.plan})`, '', table(['quota', 'effective', 'from', `${q.plan} plan ceiling`], rows), '', keys].join('\n');
}

export async function quotas(ctx: Context, options: { cluster?: string }) {
  const api = ctx.api();
  if (options.cluster) {
    const cluster = await findCluster(api, options.cluster);
    const q = await api.clusters.quotas(cluster.id);
    ctx.io.result(q, () => clusterText(cluster.name, q));
    return;
  }
  const q = await api.quotas();
  ctx.io.result(q, () => organizationText(q));
}
