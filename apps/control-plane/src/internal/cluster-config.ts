import { plans, type PlanName } from '@fjord/api';
import type { ClusterSecrets } from '../cluster-secrets.ts';
import { sameHash } from '../cluster-secrets.ts';
import type { Repositories } from '../data-access.ts';
import { sha256 } from '../credentials.ts';
import { ApiProblem } from '../errors.ts';

/** What a cluster's brokers pull from `GET /internal/clusters/:id/config` (the broker process contract). */
export interface ClusterConfig {
  clusterId: string;
  version: number;
  credentials: { key: string; secretHash: string }[];
  quotas: {
    ingressBytesPerSecond: number;
    egressBytesPerSecond: number;
    maxPartitions: number;
    storageBytes: number;
    maxRetentionMs: number;
    maxMessageBytes: number;
    maxConnections: number;
  };
  tiering: { enabled: boolean; localRetentionMs: number; prefix: string };
}

/** Where a cluster's tiered objects live in the object store; deleted with the cluster. */
export const tieringPrefix = (clusterId: string) => `clusters/${clusterId}/`;

type Deps = { repos: Pick<Repositories, 'clusters'>; secrets: ClusterSecrets };

export function clusterConfigService({ repos, secrets }: Deps) {
  return {
    /**
     * The config of a cluster for the broker holding its token: the customer's API keys, the control
     * plane's own admin credential, the plan's quotas and the tiering policy. An unknown cluster and
     * a wrong token look the same.
     */
    async forBroker(clusterId: string, token: string): Promise<ClusterConfig> {
      const cluster = await repos.clusters.resolve(clusterId);
      if (!cluster || !cluster.brokerTokenHash || !sameHash(sha256(token), cluster.brokerTokenHash)) {
        throw new ApiProblem('FJ_UNAUTHORIZED', 'the broker token is not valid for this cluster');
      }
      const plan = plans[cluster.plan as PlanName];
      return {
        clusterId,
        version: cluster.configVersion,
        credentials: [secrets.adminCredentialHash(clusterId), ...cluster.apiKeys.map((k) => ({ key: k.key, secretHash: k.secretHash }))],
        quotas: { ...plan.limits },
        tiering: { ...plan.tiering, prefix: tieringPrefix(clusterId) },
      };
    },
  };
}
