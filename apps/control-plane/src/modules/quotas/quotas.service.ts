import {
  ClusterQuotaSettings,
  KeyQuota,
  plans,
  type ClusterQuotas,
  type ClusterQuotaUse,
  type OrganizationQuotas,
  type PlanLimits,
  type PlanName,
  type UpdateClusterQuotasRequest,
} from '@fjord/api';
import type { Cluster as ClusterRow } from '@fjord/db';
import type { z } from 'zod';
import type { AuthContext } from '../../auth-context.ts';
import type { Repositories, Transact } from '../../data-access.ts';
import { notFound } from '../../errors.ts';
import { effectiveQuotas } from '../../internal/cluster-config.ts';
import { authorize } from '../../permissions.ts';
import { organizationLimits } from './organization-limits.ts';
import { assertWithinCeiling } from './quota-ceiling.ts';

type Deps = {
  repos: Pick<Repositories, 'clusters' | 'quotas'>;
  transact: Transact;
  /** Tells the cluster's brokers, which long-poll for changes, once a change is committed. */
  onConfigChange: (clusterId: string) => void;
};

type StatusRow = Awaited<ReturnType<Repositories['quotas']['brokerStatus']>>[number];

/** A cluster's current use: the sum over its brokers, as old as the oldest reading. */
function currentUse(readings: StatusRow[]) {
  if (readings.length === 0) return undefined;
  const sum = (f: (r: StatusRow) => number) => readings.reduce((total, r) => total + f(r), 0);
  return {
    measuredAt: new Date(Math.min(...readings.map((r) => r.at.getTime()))).toISOString(),
    ingressBytesPerSecond: sum((r) => r.ingressBytesPerSecond),
    egressBytesPerSecond: sum((r) => r.egressBytesPerSecond),
    partitions: sum((r) => r.partitions),
    storageBytes: sum((r) => Number(r.hotStoredBytes)),
    connections: sum((r) => r.connections),
  };
}

const ceilingOf = (row: Pick<ClusterRow, 'plan'>): PlanLimits => plans[row.plan as PlanName].limits;
const overridesOf = (row: Pick<ClusterRow, 'quotaOverrides'>) => ClusterQuotaSettings.parse(row.quotaOverrides);

/** The quotas that hold for a cluster: the plan's ceiling, lowered where the owner set it lower. */
export const clusterQuotasOf = (row: Pick<ClusterRow, 'plan' | 'quotaOverrides'>): PlanLimits => effectiveQuotas(ceilingOf(row), overridesOf(row));

function toClusterQuotas(row: ClusterRow): ClusterQuotas {
  return {
    clusterId: row.id,
    plan: row.plan as PlanName,
    ceiling: ceilingOf(row),
    overrides: overridesOf(row),
    effective: clusterQuotasOf(row),
    defaultKeyQuota: row.defaultKeyQuota === null ? null : KeyQuota.parse(row.defaultKeyQuota),
  };
}

/**
 * Organization limits with their use, and cluster quotas: what each plan allows, what an owner or
 * admin set below it, and how much of it the brokers last reported in use.
 */
export function quotasService({ repos, transact, onConfigChange }: Deps) {
  async function load(orgId: string, id: string): Promise<ClusterRow> {
    const row = await repos.clusters.get(orgId, id);
    if (!row || row.status === 'DELETED') throw notFound('cluster', id);
    return row;
  }

  return {
    async overview(ctx: AuthContext): Promise<OrganizationQuotas> {
      authorize(ctx, 'clusters:read');
      const [overrides, apiKeys, clusters, keysByCluster, status] = await Promise.all([
        repos.quotas.limitOverrides(ctx.orgId),
        repos.quotas.countApiKeys(ctx.orgId),
        repos.quotas.listClusters(ctx.orgId),
        repos.quotas.clusterApiKeysByCluster(ctx.orgId),
        repos.quotas.brokerStatus(ctx.orgId),
      ]);
      const limits = organizationLimits(overrides);
      const clusterQuotas = clusters.map((row): ClusterQuotaUse => {
        const quotas = clusterQuotasOf(row);
        const use = currentUse(status.filter((s) => s.clusterId === row.id));
        return {
          clusterId: row.id,
          name: row.name,
          plan: row.plan as PlanName,
          measuredAt: use?.measuredAt ?? null,
          ingressBytesPerSecond: { limit: quotas.ingressBytesPerSecond, used: use?.ingressBytesPerSecond ?? null },
          egressBytesPerSecond: { limit: quotas.egressBytesPerSecond, used: use?.egressBytesPerSecond ?? null },
          partitions: { limit: quotas.maxPartitions, used: use?.partitions ?? null },
          storageBytes: { limit: quotas.storageBytes, used: use?.storageBytes ?? null },
          connections: { limit: quotas.maxConnections, used: use?.connections ?? null },
          maxMessageBytes: { limit: quotas.maxMessageBytes },
          maxRetentionMs: { limit: quotas.maxRetentionMs },
          apiKeys: { limit: limits.maxClusterApiKeysPerCluster, used: keysByCluster.get(row.id) ?? 0 },
        };
      });
      return {
        clusters: { limit: limits.maxClusters, used: clusters.length },
        apiKeys: { limit: limits.maxApiKeys, used: apiKeys },
        clusterApiKeysPerCluster: { limit: limits.maxClusterApiKeysPerCluster },
        clusterQuotas,
      };
    },

    async get(ctx: AuthContext, clusterId: string): Promise<ClusterQuotas> {
      authorize(ctx, 'clusters:read');
      return toClusterQuotas(await load(ctx.orgId, clusterId));
    },

    /** The effective quotas of a cluster of the organization (not found for another's). */
    async effective(orgId: string, clusterId: string): Promise<PlanLimits> {
      return clusterQuotasOf(await load(orgId, clusterId));
    },

    /** Sets quotas at or below the plan's ceiling (null: back to the ceiling); the brokers apply them within a second. */
    async update(ctx: AuthContext, clusterId: string, input: z.output<typeof UpdateClusterQuotasRequest>): Promise<ClusterQuotas> {
      authorize(ctx, 'clusters:write');
      const { defaultKeyQuota, ...limits } = input;
      const row = await transact(async (tx) => {
        // Two changes of one cluster's quotas at once each keep the other's.
        await tx.quotas.lockOrganization(ctx.orgId);
        const existing = await tx.clusters.get(ctx.orgId, clusterId);
        if (!existing || existing.status === 'DELETED') throw notFound('cluster', clusterId);
        const ceiling = ceilingOf(existing);
        assertWithinCeiling(ceiling, limits);
        if (defaultKeyQuota) assertWithinCeiling(ceiling, defaultKeyQuota, 'defaultKeyQuota');
        const overrides: ClusterQuotaSettings = { ...overridesOf(existing) };
        for (const [name, value] of Object.entries(limits) as [keyof PlanLimits, number | null | undefined][]) {
          if (value === null) delete overrides[name];
          else if (value !== undefined) overrides[name] = value;
        }
        await tx.clusters.updateBrokerConfig(ctx.orgId, clusterId, { quotaOverrides: overrides, defaultKeyQuota });
        await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'cluster_quotas.update', resource: { type: 'cluster', id: clusterId }, requestId: ctx.requestId });
        return (await tx.clusters.get(ctx.orgId, clusterId))!;
      });
      onConfigChange(clusterId);
      return toClusterQuotas(row);
    },
  };
}
