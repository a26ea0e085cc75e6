import type { Cluster, ClusterApiKey, FjordClient, Topic } from '@fjord/sdk';

/** What really exists for one cluster the stack names. */
export interface ActualCluster {
  cluster: Cluster;
  topics: Topic[];
  apiKeys: ClusterApiKey[];
}

/** The organization as it is, limited to the clusters the stack names (by name). */
export type Actual = Map<string, ActualCluster>;

export interface ReadActualOptions {
  /** Called for a cluster still PROVISIONING or DELETING, to wait until its topics can be read or it is gone. */
  settle(cluster: Cluster): Promise<Cluster | undefined>;
}

/**
 * Reads the clusters named in the stack, with their topics and keys. A cluster in transition is
 * waited for first, so the plan compares against a state that will hold.
 */
export async function readActual(api: FjordClient, names: readonly string[], options: ReadActualOptions): Promise<Actual> {
  const wanted = new Set(names);
  const actual: Actual = new Map();
  for await (const listed of api.clusters.all()) {
    if (!wanted.has(listed.name)) continue;
    let cluster: Cluster | undefined = listed;
    if (cluster.status === 'PROVISIONING' || cluster.status === 'DELETING') cluster = await options.settle(cluster);
    if (!cluster || cluster.status === 'DELETED') continue;
    const readable = cluster.status === 'RUNNING';
    actual.set(cluster.name, {
      cluster,
      topics: readable ? await collect(api.topics.all(cluster.id)) : [],
      apiKeys: await collect(api.clusterApiKeys.all(cluster.id)),
    });
  }
  return actual;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
