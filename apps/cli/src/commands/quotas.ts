import type { ClusterQuotas, OrganizationQuotas, UpdateClusterQuotasRequest } from '@fjord/sdk';
import { findCluster, type Context } from '../context.ts';
import { CliError } from '../errors.ts';
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

type SetOptions = { cluster?: string; keyIngressBytesPerSecond?: number; keyEgressBytesPerSecond?: number; keyQuota: boolean } & Partial<
  Record<Exclude<keyof UpdateClusterQuotasRequest, 'defaultKeyQuota'>, number | 'plan'>
>;

/** `fjord quotas set`: one PATCH of the flags given; the control plane checks each against the plan's ceiling. */
export async function setQuotas(ctx: Context, options: SetOptions) {
  const { cluster: ref, keyIngressBytesPerSecond, keyEgressBytesPerSecond, keyQuota, ...limits } = options;
  if (ref === undefined) throw new CliError('FJ_CLI_E0001', "give the cluster: -c, --cluster <cluster>");
  const body: UpdateClusterQuotasRequest = Object.fromEntries(Object.entries(limits).map(([name, value]) => [name, value === 'plan' ? null : value]));
  if (keyIngressBytesPerSecond !== undefined || keyEgressBytesPerSecond !== undefined) {
    if (!keyQuota) throw new CliError('FJ_CLI_E0001', '--no-key-quota removes the default byte rates of keys: it cannot be given with --key-*-bytes-per-second');
    body.defaultKeyQuota = { ingressBytesPerSecond: keyIngressBytesPerSecond, egressBytesPerSecond: keyEgressBytesPerSecond };
  } else if (!keyQuota) body.defaultKeyQuota = null;
  if (Object.keys(body).length === 0) throw new CliError('FJ_CLI_E0001', 'give at least one quota to set (see `fjord quotas set --help`)');
  const api = ctx.api();
  const cluster = await findCluster(api, ref);
  const q = await api.clusters.updateQuotas(cluster.id, body);
  ctx.io.result(q, () => clusterText(cluster.name, q));
}
