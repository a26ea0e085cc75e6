import type { Actual, ActualCluster } from './actual.ts';
import type { Path } from './stack-file.ts';
import type { Stack, StackCluster, StackTopic } from './stack.ts';

/** One config of a topic: `from` absent means not set on the topic, `to` absent means the override goes. */
export interface ConfigChange {
  name: string;
  from?: string;
  to?: string;
}

export type TopicChange =
  | { action: 'create'; name: string; partitions: number; config: Record<string, string> }
  | { action: 'update'; name: string; partitions?: { from: number; to: number }; configs: ConfigChange[] }
  | { action: 'delete'; name: string; partitions: number };

export type ApiKeyChange = { action: 'create'; name: string } | { action: 'delete'; name: string; id: string; key: string };

/** Everything that happens to one cluster the stack names; `topics` and `apiKeys` hold changes only. */
export interface ClusterPlan {
  name: string;
  /** `replace` deletes the cluster and creates it anew (a plan or region cannot change in place). */
  action: 'create' | 'update' | 'replace' | 'delete' | 'none';
  id?: string;
  plan: string;
  region: string;
  reasons: string[];
  topics: TopicChange[];
  apiKeys: ApiKeyChange[];
}

export interface Plan {
  clusters: ClusterPlan[];
  add: number;
  change: number;
  destroy: number;
}

/** A desired state the API cannot reach from the actual one (a partition decrease), found at plan time. */
export interface PlanProblem {
  path: Path;
  message: string;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; problems: PlanProblem[] };

/** Topics whose names start with `__` belong to the brokers (offsets, transactions), never to a stack. */
const isInternalTopic = (name: string) => name.startsWith('__');

function topicChanges(desired: StackTopic[], actual: ActualCluster | undefined, clusterIndex: number, problems: PlanProblem[]): TopicChange[] {
  const changes: TopicChange[] = [];
  const existing = new Map((actual?.topics ?? []).map((t) => [t.name, t]));
  desired.forEach((topic, index) => {
    const config = topic.config as Record<string, string>;
    const found = existing.get(topic.name);
    if (!found) {
      changes.push({ action: 'create', name: topic.name, partitions: topic.partitions, config });
      return;
    }
    const current = found.partitions.length;
    if (topic.partitions < current) {
      problems.push({
        path: ['clusters', clusterIndex, 'topics', index, 'partitions'],
        message: `topic ${topic.name} has ${current} partitions and cannot shrink to ${topic.partitions}: Kafka only adds partitions (keep ${current} or more, or delete and recreate the topic)`,
      });
      return;
    }
    const configs: ConfigChange[] = [];
    for (const [name, to] of Object.entries(config)) if (found.configs[name] !== to) configs.push({ name, from: found.configs[name], to });
    for (const [name, from] of Object.entries(found.configs)) if (!(name in config)) configs.push({ name, from });
    configs.sort((a, b) => a.name.localeCompare(b.name));
    if (topic.partitions > current || configs.length > 0) {
      changes.push({ action: 'update', name: topic.name, ...(topic.partitions > current ? { partitions: { from: current, to: topic.partitions } } : {}), configs });
    }
  });
  const declared = new Set(desired.map((t) => t.name));
  for (const topic of actual?.topics ?? []) {
    if (!declared.has(topic.name) && !isInternalTopic(topic.name)) changes.push({ action: 'delete', name: topic.name, partitions: topic.partitions.length });
  }
  return changes;
}

function apiKeyChanges(desired: StackCluster['apiKeys'], actual: ActualCluster | undefined): ApiKeyChange[] {
  const existing = actual?.apiKeys ?? [];
  const declared = new Set(desired.map((k) => k.name));
  const have = new Set(existing.map((k) => k.description));
  return [
    ...desired.filter((k) => !have.has(k.name)).map((k): ApiKeyChange => ({ action: 'create', name: k.name })),
    ...existing.filter((k) => !declared.has(k.description)).map((k): ApiKeyChange => ({ action: 'delete', name: k.description, id: k.id, key: k.key })),
  ];
}

function count(clusters: ClusterPlan[]): Plan {
  let add = 0;
  let change = 0;
  let destroy = 0;
  for (const c of clusters) {
    if (c.action === 'create') add++;
    if (c.action === 'delete') destroy++;
    if (c.action === 'replace') (add++, destroy++);
    for (const t of c.topics) t.action === 'create' ? add++ : t.action === 'update' ? change++ : destroy++;
    for (const k of c.apiKeys) k.action === 'create' ? add++ : destroy++;
  }
  return { clusters, add, change, destroy };
}

/** What `apply` would do: the stack against the organization, matched by name. Pure. */
export function planApply(stack: Stack, actual: Actual): PlanResult {
  const problems: PlanProblem[] = [];
  const clusters = stack.clusters.map((desired, index): ClusterPlan => {
    const found = actual.get(desired.name);
    const reasons: string[] = [];
    if (found) {
      if (found.cluster.plan !== desired.plan) reasons.push(`plan ${found.cluster.plan} -> ${desired.plan}`);
      if (found.cluster.region !== desired.region) reasons.push(`region ${found.cluster.region} -> ${desired.region}`);
      if (found.cluster.status === 'FAILED') reasons.push(`it is FAILED${found.cluster.failureReason ? ` (${found.cluster.failureReason})` : ''}`);
    }
    // A new or replaced cluster starts empty: everything in it is created.
    const fresh = !found || reasons.length > 0;
    const topics = topicChanges(desired.topics, fresh ? undefined : found, index, problems);
    const apiKeys = apiKeyChanges(desired.apiKeys, fresh ? undefined : found);
    const action = !found ? 'create' : reasons.length > 0 ? 'replace' : topics.length + apiKeys.length > 0 ? 'update' : 'none';
    return { name: desired.name, action, id: found?.cluster.id, plan: desired.plan, region: desired.region, reasons, topics, apiKeys };
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, plan: count(clusters) };
}

/** What `destroy` would do: every cluster the stack names that exists goes, with its topics and keys. */
export function planDestroy(stack: Stack, actual: Actual): Plan {
  const clusters = stack.clusters.flatMap((desired): ClusterPlan[] => {
    const found = actual.get(desired.name);
    if (!found) return [];
    return [
      {
        name: desired.name,
        action: 'delete',
        id: found.cluster.id,
        plan: found.cluster.plan,
        region: found.cluster.region,
        reasons: [],
        topics: found.topics.filter((t) => !isInternalTopic(t.name)).map((t) => ({ action: 'delete', name: t.name, partitions: t.partitions.length })),
        apiKeys: found.apiKeys.map((k) => ({ action: 'delete', name: k.description, id: k.id, key: k.key })),
      },
    ];
  });
  return count(clusters);
}

export const hasChanges = (plan: Plan) => plan.add + plan.change + plan.destroy > 0;
