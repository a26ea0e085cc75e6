import type { Cluster, FjordClient, TopicConfigChanges } from '@fjord/sdk';
import type { ClusterPlan, Plan } from './diff.ts';

/** A cluster API key made by an apply: its secret exists nowhere else. */
export interface CreatedSecret {
  cluster: string;
  clusterId: string;
  name: string;
  id: string;
  key: string;
  secret: string;
  bootstrapServers: string;
}

export interface ApplyHooks {
  /** A step is about to be taken (for the progress shown to the user). */
  step(text: string): void;
  waitRunning(cluster: Cluster): Promise<Cluster>;
  waitDeleted(cluster: Cluster): Promise<void>;
  /** A key was created: called at once, so its secret is kept even when a later step fails. */
  secret(created: CreatedSecret): void;
}

async function deleteCluster(api: FjordClient, c: ClusterPlan, hooks: ApplyHooks) {
  hooks.step(`deleting cluster ${c.name}`);
  const deleting = await api.clusters.delete(c.id!);
  await hooks.waitDeleted(deleting);
}

async function applyCluster(api: FjordClient, c: ClusterPlan, hooks: ApplyHooks): Promise<void> {
  if (c.action === 'none') return;
  if (c.action === 'delete' || c.action === 'replace') await deleteCluster(api, c, hooks);
  if (c.action === 'delete') return;
  let cluster: Cluster;
  if (c.action === 'create' || c.action === 'replace') {
    hooks.step(`creating cluster ${c.name}`);
    cluster = await hooks.waitRunning(await api.clusters.create({ name: c.name, plan: c.plan as Cluster['plan'], region: c.region }));
  } else {
    cluster = await api.clusters.get(c.id!);
  }
  for (const t of c.topics) {
    if (t.action === 'create') {
      hooks.step(`creating topic ${t.name} on ${c.name}`);
      await api.topics.create(cluster.id, { name: t.name, partitions: t.partitions, ...(Object.keys(t.config).length > 0 ? { configs: t.config } : {}) });
    } else if (t.action === 'update') {
      hooks.step(`updating topic ${t.name} on ${c.name}`);
      const configs = Object.fromEntries(t.configs.map((change) => [change.name, change.to ?? null])) as TopicConfigChanges;
      await api.topics.update(cluster.id, t.name, { ...(t.partitions ? { partitions: t.partitions.to } : {}), ...(t.configs.length > 0 ? { configs } : {}) });
    } else {
      hooks.step(`deleting topic ${t.name} on ${c.name}`);
      await api.topics.delete(cluster.id, t.name);
    }
  }
  for (const k of c.apiKeys) {
    if (k.action === 'create') {
      hooks.step(`creating api key ${k.name} on ${c.name}`);
      const created = await api.clusterApiKeys.create(cluster.id, { description: k.name });
      hooks.secret({ cluster: c.name, clusterId: cluster.id, name: k.name, id: created.id, key: created.key, secret: created.secret, bootstrapServers: cluster.bootstrapServers });
    } else {
      hooks.step(`deleting api key ${k.name} on ${c.name}`);
      await api.clusterApiKeys.delete(cluster.id, k.id);
    }
  }
}

/** Carries out a plan in dependency order: a cluster before what lives in it, one cluster after another. */
export async function applyPlan(api: FjordClient, plan: Plan, hooks: ApplyHooks): Promise<void> {
  for (const c of plan.clusters) await applyCluster(api, c, hooks);
}
