import type { ApiKey, ClusterApiKey, FjordClient } from '@fjord/sdk';
import { findCluster, type Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { fields, table } from '../io/table.ts';
import { addSecrets } from '../secrets-file.ts';
import { confirmDelete } from './clusters.ts';

/** A cluster API key by id, key (SASL username) or description. */
export async function findClusterApiKey(api: FjordClient, clusterId: string, ref: string): Promise<ClusterApiKey> {
  const matches: ClusterApiKey[] = [];
  for await (const k of api.clusterApiKeys.all(clusterId)) if (k.id === ref || k.key === ref || k.description === ref) matches.push(k);
  if (matches.length === 0) throw new CliError('FJ_CLI_E0009', `no API key ${ref} on this cluster (by id, key or description)`);
  if (matches.length > 1) throw new CliError('FJ_CLI_E0001', `${matches.length} API keys are described ${JSON.stringify(ref)}: name one by its id or key`);
  return matches[0];
}

async function findApiKey(api: FjordClient, ref: string): Promise<ApiKey> {
  const matches: ApiKey[] = [];
  for await (const k of api.apiKeys.all()) if (k.id === ref || k.description === ref) matches.push(k);
  if (matches.length === 0) throw new CliError('FJ_CLI_E0009', `no cloud API key ${ref} (by id or description)`);
  if (matches.length > 1) throw new CliError('FJ_CLI_E0001', `${matches.length} cloud API keys are described ${JSON.stringify(ref)}: name one by its id`);
  return matches[0];
}

export async function list(ctx: Context, options: { cluster?: string }) {
  const api = ctx.api();
  if (options.cluster) {
    const cluster = await findCluster(api, options.cluster);
    const items: ClusterApiKey[] = [];
    for await (const k of api.clusterApiKeys.all(cluster.id)) items.push(k);
    ctx.io.result(items, () => table(['key', 'description', 'id', 'created'], items.map((k) => [k.key, k.description, k.id, k.createdAt])));
  } else {
    const items: ApiKey[] = [];
    for await (const k of api.apiKeys.all()) items.push(k);
    ctx.io.result(items, () => table(['id', 'description', 'created'], items.map((k) => [k.id, k.description, k.createdAt])));
  }
}

export async function create(ctx: Context, options: { cluster?: string; description: string; secretsOut?: string }) {
  const api = ctx.api();
  if (!options.cluster) {
    if (options.secretsOut) throw new CliError('FJ_CLI_E0001', '--secrets-out is for cluster API keys (with --cluster)');
    const created = await api.apiKeys.create({ description: options.description });
    ctx.io.result(created, () => `${fields([['id', created.id], ['description', created.description], ['secret', created.secret]])}\n\nThe secret is shown this once: use it as FJORD_TOKEN (or \`fjord login --token\`).`);
    return;
  }
  const cluster = await findCluster(api, options.cluster);
  const created = await api.clusterApiKeys.create(cluster.id, { description: options.description });
  if (options.secretsOut) {
    await addSecrets(options.secretsOut, [{ cluster: cluster.name, clusterId: cluster.id, name: created.description, id: created.id, key: created.key, secret: created.secret, bootstrapServers: cluster.bootstrapServers }]);
    ctx.io.notify('FJ_CLI_I1003', `the secret of ${created.key} was written to ${options.secretsOut} (mode 0600)`);
    const { secret: _shownOnce, ...withoutSecret } = created;
    ctx.io.result(withoutSecret, () => fields([['id', created.id], ['key', created.key], ['description', created.description]]));
    return;
  }
  ctx.io.result(created, () =>
    `${fields([['id', created.id], ['key', created.key], ['secret', created.secret], ['description', created.description], ['bootstrap', cluster.bootstrapServers]])}\n\nThe secret is shown this once (SASL/PLAIN: username = key, password = secret).`,
  );
}

export async function remove(ctx: Context, ref: string, options: { cluster?: string; yes?: boolean }) {
  const api = ctx.api();
  if (options.cluster) {
    const cluster = await findCluster(api, options.cluster);
    const key = await findClusterApiKey(api, cluster.id, ref);
    await confirmDelete(ctx, `API key ${key.key} (${key.description}) of cluster ${cluster.name}: its clients are refused within a second`, options.yes);
    await api.clusterApiKeys.delete(cluster.id, key.id);
    ctx.io.result({ deleted: true, id: key.id, key: key.key }, () => `API key ${key.key} deleted`);
  } else {
    const key = await findApiKey(api, ref);
    await confirmDelete(ctx, `cloud API key ${key.id} (${key.description})`, options.yes);
    await api.apiKeys.delete(key.id);
    ctx.io.result({ deleted: true, id: key.id }, () => `cloud API key ${key.id} deleted`);
  }
}

/** `fjord api-keys quota`: a key's own byte rates; null gives a rate back to the cluster's default for keys. */
export async function quota(ctx: Context, ref: string, options: { cluster: string; ingressBytesPerSecond?: number | 'default'; egressBytesPerSecond?: number | 'default' }) {
  const { cluster: clusterRef, ...given } = options;
  const rates = Object.fromEntries(Object.entries(given).map(([name, value]) => [name, value === 'default' ? null : value]));
  if (Object.keys(rates).length === 0) throw new CliError('FJ_CLI_E0001', 'give --ingress-bytes-per-second and/or --egress-bytes-per-second');
  const api = ctx.api();
  const cluster = await findCluster(api, clusterRef);
  const key = await findClusterApiKey(api, cluster.id, ref);
  const updated = await api.clusterApiKeys.update(cluster.id, key.id, { quota: rates });
  const rate = (n: number | undefined) => (n === undefined ? "cluster's default" : `${n} B/s`);
  ctx.io.result(updated, () =>
    fields([
      ['key', updated.key],
      ['ingress', rate(updated.quota.ingressBytesPerSecond)],
      ['egress', rate(updated.quota.egressBytesPerSecond)],
    ]),
  );
}
