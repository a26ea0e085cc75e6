import { canBecome, type Cluster, type ClusterStatus, type CreateClusterRequest, type Page, type PageQuery, type PlanName, type UpdateClusterRequest } from '@fjord/api';
import type { Cluster as ClusterRow } from '@fjord/db';
import type { z } from 'zod';
import type { AuthContext } from '../../auth-context.ts';
import type { ClusterSecrets } from '../../cluster-secrets.ts';
import type { Repositories, Transact } from '../../data-access.ts';
import { sha256 } from '../../credentials.ts';
import { decodeCursor, isUuid, toPage } from '../../cursor.ts';
import { ApiProblem, notFound } from '../../errors.ts';
import { authorize } from '../../permissions.ts';
import { enforceLimit } from '../quotas/organization-limits.ts';
import { isUniqueViolation } from '../../repository.ts';
import type { BrokerCertificates } from '../../tls/broker-certificates.ts';
import type { ClusterChanges } from './cluster-changes.ts';

/** Where new clusters' brokers listen: the host clients reach and a port allocated once per cluster. */
export interface BrokerPlacement {
  host: string;
  allocatePort(): Promise<number>;
}

/** A long poll: answer once the cluster has `status` (or cannot reach it), at the latest after `timeoutMs`. */
export interface ClusterWait {
  status: ClusterStatus;
  timeoutMs: number;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

/** How the control plane reaches a cluster's brokers as an administrator. */
export interface ClusterConnection {
  bootstrapServers: string;
  sasl: { mechanism: 'plain'; username: string; password: string } | null;
  tls: { caPem: string } | null;
}

type Deps = {
  repos: Pick<Repositories, 'clusters'>;
  transact: Transact;
  secrets: ClusterSecrets;
  certificates: Pick<BrokerCertificates, 'authorityPem'>;
  placement: BrokerPlacement;
  /** Tells the cluster's brokers, which long-poll for changes, once a change of their config is committed. */
  onConfigChange: (clusterId: string) => void;
  /** Called after a change the reconciler should act on now rather than at its next tick. */
  onChange?: (clusterId: string) => void;
  changes: ClusterChanges;
  /** How often a waiting request looks again, for changes made by another replica. */
  recheckMs: number;
};

const PORT_ATTEMPTS = 5;

const nameTaken = (name: string) => {
  const detail = `a cluster named ${name} already exists in this organization`;
  return new ApiProblem('FJ_CONFLICT', detail, [{ field: 'name', message: detail }]);
};

export const bootstrapServersOf = (row: Pick<ClusterRow, 'host' | 'port'>) => `${row.host}:${row.port}`;

export function toCluster(row: ClusterRow): Cluster {
  return {
    id: row.id,
    name: row.name,
    plan: row.plan as PlanName,
    region: row.region,
    status: row.status as ClusterStatus,
    bootstrapServers: bootstrapServersOf(row),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(row.failureReason ? { failureReason: row.failureReason } : {}),
    settings: { autoCreateTopics: row.autoCreateTopics },
  };
}

export function clustersService({ repos, transact, secrets, certificates, placement, onConfigChange, onChange, changes, recheckMs }: Deps) {
  async function load(orgId: string, id: string): Promise<ClusterRow> {
    const row = await repos.clusters.get(orgId, id);
    if (!row || row.status === 'DELETED') throw notFound('cluster', id);
    return row;
  }

  return {
    async create(ctx: AuthContext, input: z.output<typeof CreateClusterRequest>): Promise<Cluster> {
      authorize(ctx, 'clusters:write');
      for (let attempt = 1; ; attempt++) {
        const port = await placement.allocatePort();
        try {
          const row = await transact(async (tx) => {
            await enforceLimit(tx, ctx.orgId, 'maxClusters');
            if (await tx.clusters.findByName(ctx.orgId, input.name)) throw nameTaken(input.name);
            const cluster = await tx.clusters.create(ctx.orgId, {
              name: input.name,
              plan: input.plan,
              region: input.region,
              host: placement.host,
              port,
              // The id is only known after the insert; the hash is set right after, in the same transaction.
              brokerTokenHash: '',
            });
            const brokerTokenHash = sha256(secrets.brokerToken(cluster.id));
            await tx.meteredClusters.open({ clusterId: cluster.id, orgId: ctx.orgId, name: input.name, plan: input.plan, createdAt: cluster.createdAt });
            await tx.clusters.transition(ctx.orgId, cluster.id, 'PROVISIONING', { brokerTokenHash });
            await tx.clusterEvents.record(ctx.orgId, cluster.id, {
              type: 'cluster.requested',
              status: 'PROVISIONING',
              message: `${input.plan} cluster ${input.name} requested in ${input.region} on ${placement.host}:${port}`,
            });
            await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'cluster.create', resource: { type: 'cluster', id: cluster.id }, requestId: ctx.requestId });
            return (await tx.clusters.get(ctx.orgId, cluster.id))!;
          });
          onChange?.(row.id);
          return toCluster(row);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          // Two creates of one name at once: the unique index decides.
          if (await repos.clusters.findByName(ctx.orgId, input.name)) throw nameTaken(input.name);
          // Another cluster got the same port between allocation and insert: pick another.
          if (attempt >= PORT_ATTEMPTS) throw new ApiProblem('FJ_UNAVAILABLE', `no free broker port on ${placement.host} after ${PORT_ATTEMPTS} attempts; try again`);
        }
      }
    },

    async list(ctx: AuthContext, query: PageQuery): Promise<Page<Cluster>> {
      authorize(ctx, 'clusters:read');
      const rows = await repos.clusters.list(ctx.orgId, { limit: query.limit, after: decodeCursor(query.cursor, isUuid) });
      return toPage(rows, query.limit, (r) => r.id, toCluster);
    },

    /** With `wait`, the cluster once it has the status; a cluster that is gone meanwhile is not found. */
    async get(ctx: AuthContext, id: string, wait?: ClusterWait): Promise<Cluster> {
      authorize(ctx, 'clusters:read');
      const deadline = Date.now() + (wait?.timeoutMs ?? 0);
      for (;;) {
        const cluster = toCluster(await load(ctx.orgId, id));
        const remaining = deadline - Date.now();
        if (!wait || cluster.status === wait.status || !canBecome(cluster.status, wait.status)) return cluster;
        if (remaining <= 0 || changes.closed || wait.signal?.aborted) return cluster;
        await changes.next(id, Math.min(remaining, recheckMs), wait.signal);
      }
    },

    /** Changes the cluster's settings; its brokers apply them within a second. */
    async update(ctx: AuthContext, id: string, input: z.output<typeof UpdateClusterRequest>): Promise<Cluster> {
      authorize(ctx, 'clusters:write');
      const { autoCreateTopics } = input.settings;
      const { row, changed } = await transact(async (tx) => {
        const existing = await tx.clusters.get(ctx.orgId, id);
        if (!existing || existing.status === 'DELETED') throw notFound('cluster', id);
        if (autoCreateTopics === undefined || autoCreateTopics === existing.autoCreateTopics) return { row: existing, changed: false };
        await tx.clusters.updateBrokerConfig(ctx.orgId, id, { autoCreateTopics });
        await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'cluster.update', resource: { type: 'cluster', id }, requestId: ctx.requestId });
        return { row: (await tx.clusters.get(ctx.orgId, id))!, changed: true };
      });
      if (changed) onConfigChange(id);
      return toCluster(row);
    },

    /** Asks for the cluster's teardown; the reconciler stops its brokers, removes its data, then the cluster. */
    async delete(ctx: AuthContext, id: string): Promise<Cluster> {
      authorize(ctx, 'clusters:write');
      const row = await transact(async (tx) => {
        const existing = await tx.clusters.get(ctx.orgId, id);
        if (!existing || existing.status === 'DELETED') throw notFound('cluster', id);
        if (await tx.clusters.requestDelete(ctx.orgId, id)) {
          await tx.meteredClusters.close(ctx.orgId, id, new Date());
          await tx.clusterEvents.record(ctx.orgId, id, { type: 'cluster.delete-requested', status: 'DELETING', message: 'deletion requested' });
          await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'cluster.delete', resource: { type: 'cluster', id }, requestId: ctx.requestId });
        }
        return (await tx.clusters.get(ctx.orgId, id))!;
      });
      onChange?.(id);
      return toCluster(row);
    },

    /**
     * The address of a running cluster and the control plane's own credential on it. Another
     * organization's, an unknown or a deleted cluster is not found; one that is not RUNNING is a conflict.
     */
    async connection(orgId: string, clusterId: string): Promise<ClusterConnection> {
      const row = await load(orgId, clusterId);
      if (row.status !== 'RUNNING') {
        throw new ApiProblem('FJ_CLUSTER_NOT_READY', `cluster ${clusterId} is ${row.status}, not RUNNING`);
      }
      return {
        bootstrapServers: bootstrapServersOf(row),
        sasl: { mechanism: 'plain', ...secrets.adminCredential(clusterId) },
        tls: { caPem: await certificates.authorityPem() },
      };
    },

    /** The certificate clients trust to verify the cluster's brokers (one authority per installation). */
    async caPem(ctx: AuthContext, id: string): Promise<string> {
      authorize(ctx, 'clusters:read');
      await load(ctx.orgId, id);
      return certificates.authorityPem();
    },
  };
}
