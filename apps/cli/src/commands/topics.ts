import type { Topic, TopicConfigChanges, TopicConfigs } from '@fjord/sdk';
import { findCluster, type Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { fields, table } from '../io/table.ts';
import { confirmDelete } from './clusters.ts';

/** `--config retention.ms=1000` pairs; the API validates names and values. */
function parseConfigs(pairs: string[] = []): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new CliError('FJ_CLI_E0001', `--config takes name=value, not ${JSON.stringify(pair)}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

const bytes = (t: Topic) => t.partitions.reduce((sum, p) => sum + p.localBytes + p.remoteBytes, 0);
const records = (t: Topic) => t.partitions.reduce((sum, p) => sum + p.highWatermark - p.logStartOffset, 0);

function describeTopic(t: Topic): string {
  const configs = Object.entries(t.configs).sort();
  return [
    fields([
      ['name', t.name],
      ['partitions', t.partitions.length],
      ['replication', t.replicationFactor],
      ['records', records(t)],
      ['bytes', bytes(t)],
    ]),
    '',
    table(['partition', 'log start', 'high watermark', 'local bytes', 'remote bytes'], t.partitions.map((p) => [p.partition, p.logStartOffset, p.highWatermark, p.localBytes, p.remoteBytes])),
    '',
    configs.length > 0 ? table(['config', 'value'], configs) : 'configs: cluster defaults',
  ].join('\n');
}

export async function list(ctx: Context, options: { cluster: string }) {
  const cluster = await findCluster(ctx.api(), options.cluster);
  const items: Topic[] = [];
  for await (const t of ctx.api().topics.all(cluster.id)) items.push(t);
  ctx.io.result(items, () => table(['name', 'partitions', 'replication', 'records', 'bytes'], items.map((t) => [t.name, t.partitions.length, t.replicationFactor, records(t), bytes(t)])));
}

export async function create(ctx: Context, name: string, options: { cluster: string; partitions: number; replicationFactor?: number; config?: string[] }) {
  const cluster = await findCluster(ctx.api(), options.cluster);
  const configs = parseConfigs(options.config) as TopicConfigs;
  const topic = await ctx.api().topics.create(cluster.id, {
    name,
    partitions: options.partitions,
    ...(options.replicationFactor !== undefined ? { replicationFactor: options.replicationFactor } : {}),
    ...(Object.keys(configs).length > 0 ? { configs } : {}),
  });
  ctx.io.result(topic, () => describeTopic(topic));
}

export async function describe(ctx: Context, name: string, options: { cluster: string }) {
  const cluster = await findCluster(ctx.api(), options.cluster);
  const topic = await ctx.api().topics.get(cluster.id, name);
  ctx.io.result(topic, () => describeTopic(topic));
}

export async function alter(ctx: Context, name: string, options: { cluster: string; partitions?: number; config?: string[]; deleteConfig?: string[] }) {
  const changes: Record<string, string | null> = parseConfigs(options.config);
  for (const key of options.deleteConfig ?? []) changes[key] = null;
  if (options.partitions === undefined && Object.keys(changes).length === 0) {
    throw new CliError('FJ_CLI_E0001', 'nothing to alter: give --partitions, --config or --delete-config');
  }
  const cluster = await findCluster(ctx.api(), options.cluster);
  const topic = await ctx.api().topics.update(cluster.id, name, {
    ...(options.partitions !== undefined ? { partitions: options.partitions } : {}),
    ...(Object.keys(changes).length > 0 ? { configs: changes as TopicConfigChanges } : {}),
  });
  ctx.io.result(topic, () => describeTopic(topic));
}

export async function remove(ctx: Context, name: string, options: { cluster: string; yes?: boolean }) {
  const cluster = await findCluster(ctx.api(), options.cluster);
  await confirmDelete(ctx, `topic ${name} of cluster ${cluster.name} and its data`, options.yes);
  await ctx.api().topics.delete(cluster.id, name);
  ctx.io.result({ deleted: true, cluster: cluster.id, topic: name }, () => `topic ${name} deleted`);
}
