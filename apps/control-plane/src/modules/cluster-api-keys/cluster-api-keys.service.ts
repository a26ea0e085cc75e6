import { plans, type ClusterApiKey, type CreatedClusterApiKey, type Page, type PageQuery, type PlanName, type UpdateClusterApiKeyRequest } from '@fjord/api';
import type { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { AuthContext } from '../../auth-context.ts';
import { hashSecret } from '@fjord/broker-contract';
import type { Repositories, Transact } from '../../data-access.ts';
import { newSecret } from '../../credentials.ts';
import { decodeCursor, isUuid, toPage } from '../../cursor.ts';
import { ApiProblem, notFound } from '../../errors.ts';
import { authorize } from '../../permissions.ts';
import { enforceLimit } from '../quotas/organization-limits.ts';
import { assertWithinCeiling } from '../quotas/quota-ceiling.ts';

type Deps = {
  repos: Pick<Repositories, 'clusters' | 'clusterApiKeys'>;
  transact: Transact;
  /** Tells the cluster's brokers, which long-poll for changes, once a change is committed. */
  onConfigChange: (clusterId: string) => void;
};
type Row = {
  id: string;
  clusterId: string;
  key: string;
  description: string;
  ingressBytesPerSecond: number | null;
  egressBytesPerSecond: number | null;
  createdAt: Date;
};

const toClusterApiKey = (row: Row): ClusterApiKey => ({
  id: row.id,
  clusterId: row.clusterId,
  key: row.key,
  description: row.description,
  quota: {
    ...(row.ingressBytesPerSecond !== null && { ingressBytesPerSecond: row.ingressBytesPerSecond }),
    ...(row.egressBytesPerSecond !== null && { egressBytesPerSecond: row.egressBytesPerSecond }),
  },
  createdAt: row.createdAt.toISOString(),
});

/** SASL usernames: short, unambiguous, upper case like the keys of other Kafka clouds. */
const newKey = () => `FJ${randomBytes(10).toString('hex').toUpperCase()}`;

/**
 * SASL passwords. Each kind of secret has its own prefix (fjk_ cloud API keys, fjs_ sessions, fjb_ broker
 * tokens), so a leaked one is recognised by kind and a secret of one kind is never tried as another.
 */
const clusterKeySecretPrefix = 'fjc_';

/**
 * SASL/PLAIN credentials of a cluster. Every change bumps the cluster's config version and wakes
 * the brokers' config long polls: a deleted key is refused (and its connections closed) within
 * moments. A new key works at once: a login naming a key the broker does not know makes it fetch.
 */
export function clusterApiKeysService({ repos, transact, onConfigChange }: Deps) {
  async function cluster(orgId: string, clusterId: string) {
    const row = await repos.clusters.get(orgId, clusterId);
    if (!row || row.status === 'DELETED') throw notFound('cluster', clusterId);
    return row;
  }

  return {
    async create(ctx: AuthContext, clusterId: string, input: { description: string }): Promise<CreatedClusterApiKey> {
      authorize(ctx, 'cluster-api-keys:write');
      const secret = newSecret(clusterKeySecretPrefix);
      const row = await transact(async (tx) => {
        const owner = await tx.clusters.get(ctx.orgId, clusterId);
        if (!owner || owner.status === 'DELETED') throw notFound('cluster', clusterId);
        if (owner.status === 'DELETING') throw new ApiProblem('FJ_CLUSTER_NOT_READY', `cluster ${clusterId} is being deleted`);
        await enforceLimit(tx, ctx.orgId, 'maxClusterApiKeysPerCluster', clusterId);
        const key = await tx.clusterApiKeys.create(ctx.orgId, clusterId, { key: newKey(), description: input.description, secretHash: hashSecret(secret) });
        await tx.clusters.bumpConfigVersion(ctx.orgId, clusterId);
        await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'cluster_api_key.create', resource: { type: 'cluster_api_key', id: key.id }, requestId: ctx.requestId });
        return key;
      });
      onConfigChange(clusterId);
      return { ...toClusterApiKey(row), secret };
    },

    async list(ctx: AuthContext, clusterId: string, query: PageQuery): Promise<Page<ClusterApiKey>> {
      authorize(ctx, 'cluster-api-keys:read');
      await cluster(ctx.orgId, clusterId);
      const rows = await repos.clusterApiKeys.list(ctx.orgId, clusterId, { limit: query.limit, after: decodeCursor(query.cursor, isUuid) });
      return toPage(rows, query.limit, (r) => r.id, toClusterApiKey);
    },

    async get(ctx: AuthContext, clusterId: string, id: string): Promise<ClusterApiKey> {
      authorize(ctx, 'cluster-api-keys:read');
      await cluster(ctx.orgId, clusterId);
      const row = await repos.clusterApiKeys.get(ctx.orgId, clusterId, id);
      if (!row) throw notFound('cluster API key', id);
      return toClusterApiKey(row);
    },

    /** A new description, or the key's own byte rates (at most the plan's), which its brokers apply within a second. */
    async update(ctx: AuthContext, clusterId: string, id: string, input: z.output<typeof UpdateClusterApiKeyRequest>): Promise<ClusterApiKey> {
      authorize(ctx, 'cluster-api-keys:write');
      const owner = await cluster(ctx.orgId, clusterId);
      if (input.quota) assertWithinCeiling(plans[owner.plan as PlanName].limits, input.quota, 'quota');
      const rates = input.quota ?? {};
      const row = await transact(async (tx) => {
        const updated = await tx.clusterApiKeys.update(ctx.orgId, clusterId, id, { description: input.description, ...rates });
        if (!updated) throw notFound('cluster API key', id);
        if (input.quota) await tx.clusters.bumpConfigVersion(ctx.orgId, clusterId);
        await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'cluster_api_key.update', resource: { type: 'cluster_api_key', id }, requestId: ctx.requestId });
        return (await tx.clusterApiKeys.get(ctx.orgId, clusterId, id))!;
      });
      if (input.quota) onConfigChange(clusterId);
      return toClusterApiKey(row);
    },

    async delete(ctx: AuthContext, clusterId: string, id: string): Promise<void> {
      authorize(ctx, 'cluster-api-keys:write');
      await transact(async (tx) => {
        const { count } = await tx.clusterApiKeys.delete(ctx.orgId, clusterId, id);
        if (count === 0) throw notFound('cluster API key', id);
        await tx.clusters.bumpConfigVersion(ctx.orgId, clusterId);
        await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'cluster_api_key.delete', resource: { type: 'cluster_api_key', id }, requestId: ctx.requestId });
      });
      onConfigChange(clusterId);
    },
  };
}
