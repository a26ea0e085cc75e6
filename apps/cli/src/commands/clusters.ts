import type { Cluster } from '@fjord/sdk';
import { findCluster, waitForCluster, type Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { fields, table } from '../io/table.ts';

const clusterFields = (c: Cluster) =>
  fields([
    ['id', c.id],
    ['name', c.name],
    ['plan', c.plan],
    ['region', c.region],
    ['status', c.status],
    ['failure', c.failureReason],
    ['bootstrap', c.bootstrapServers],
    ['created', c.createdAt],
  ]);

/** Asks before a delete unless --yes; a script without a terminal must pass --yes. */
export async function confirmDelete(ctx: Context, what: string, yes: boolean | undefined) {
  if (yes) return;
  if (!(await ctx.io.confirm('FJ_CLI_Q1001', `Delete ${what}?`))) throw new CliError('FJ_CLI_E0008', 'cancelled: nothing was deleted');
}

export async function list(ctx: Context) {
  const items: Cluster[] = [];
  for await (const c of ctx.api().clusters.all()) items.push(c);
  ctx.io.result(items, () => table(['name', 'id', 'plan', 'region', 'status', 'bootstrap'], items.map((c) => [c.name, c.id, c.plan, c.region, c.status, c.bootstrapServers])));
}

export async function create(ctx: Context, name: string, options: { plan: string; region?: string; wait?: boolean }) {
  let cluster = await ctx.api().clusters.create({ name, plan: options.plan as Cluster['plan'], ...(options.region ? { region: options.region } : {}) });
  if (options.wait) cluster = (await waitForCluster(ctx, cluster, 'RUNNING'))!;
  ctx.io.result(cluster, () => clusterFields(cluster));
}

export async function get(ctx: Context, nameOrId: string) {
  const cluster = await findCluster(ctx.api(), nameOrId);
  ctx.io.result(cluster, () => clusterFields(cluster));
}

export async function remove(ctx: Context, nameOrId: string, options: { wait?: boolean; yes?: boolean }) {
  const found = await findCluster(ctx.api(), nameOrId);
  await confirmDelete(ctx, `cluster ${found.name} (${found.id}) and all its data`, options.yes);
  const deleting = await ctx.api().clusters.delete(found.id);
  if (options.wait) await waitForCluster(ctx, deleting, 'DELETED');
  ctx.io.result(options.wait ? { ...deleting, status: 'DELETED' } : deleting, () => `cluster ${found.name} ${options.wait ? 'deleted' : 'is being deleted (DELETING)'}`);
}
