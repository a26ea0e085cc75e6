import type { UsageItem } from '@fjord/sdk';
import { findCluster, type Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { table } from '../io/table.ts';

const dayMs = 24 * 3600 * 1000;

/** An RFC 3339 time from the user; the API checks the range. */
function instant(value: string, option: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CliError('FJ_CLI_E0001', `${option} takes a date or time such as 2026-12-01 or 2026-12-01T10:00:00Z, not ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

export async function usage(ctx: Context, options: { cluster?: string; from?: string; to?: string; granularity: 'hour' | 'day'; groupBy?: 'topic' | 'apiKey' }) {
  const api = ctx.api();
  const cluster = options.cluster ? await findCluster(api, options.cluster) : undefined;
  const to = options.to ? instant(options.to, '--to') : new Date().toISOString();
  const from = options.from ? instant(options.from, '--from') : new Date(Date.parse(to) - dayMs).toISOString();
  const result = await api.usage.get({ from, to, granularity: options.granularity, ...(cluster ? { clusterId: cluster.id } : {}), ...(options.groupBy ? { groupBy: options.groupBy } : {}) });
  const names = new Map<string, string>();
  if (!cluster) for await (const c of api.clusters.all()) names.set(c.id, c.name);
  else names.set(cluster.id, cluster.name);
  const group = options.groupBy === 'topic' ? 'topic' : options.groupBy === 'apiKey' ? 'api key' : undefined;
  const row = (i: UsageItem) => [i.start, names.get(i.clusterId) ?? i.clusterId, i.dimension, i.quantity, i.unit, ...(group ? [(group === 'topic' ? i.topic : i.apiKeyId) ?? '-'] : [])];
  ctx.io.result(result, () => table(['start', 'cluster', 'dimension', 'quantity', 'unit', ...(group ? [group] : [])], result.items.map(row)));
}
