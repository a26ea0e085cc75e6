import { plans, type PlanName } from '@fjord/api';
import type { ClusterConfig } from '@fjord/broker-contract';
import type { ClusterSecrets } from '../cluster-secrets.ts';
import type { Repositories } from '../data-access.ts';
import { authenticateBroker } from './broker-auth.ts';
import type { ConfigWatch } from './config-watch.ts';

/** Where a cluster's tiered objects live in the object store; deleted with the cluster. */
export const tieringPrefix = (clusterId: string) => `clusters/${clusterId}/`;

type Deps = { repos: Pick<Repositories, 'clusters'>; secrets: ClusterSecrets; watch: ConfigWatch };

export function clusterConfigService({ repos, secrets, watch }: Deps) {
  /**
   * The config of a cluster for the broker holding its token: the customer's API keys, the control
   * plane's own admin credential, the plan's quotas and the tiering policy. An unknown cluster and
   * a wrong token look the same.
   */
  async function forBroker(clusterId: string, token: string): Promise<ClusterConfig> {
    const cluster = await authenticateBroker(repos, clusterId, token);
    const plan = plans[cluster.plan as PlanName];
    return {
      clusterId,
      version: cluster.configVersion,
      credentials: [secrets.adminCredentialHash(clusterId), ...cluster.apiKeys.map((k) => ({ key: k.key, secretHash: k.secretHash }))],
      quotas: { ...plan.limits },
      clientQuotas: { keys: {} },
      settings: { autoCreateTopics: false },
      tiering: { ...plan.tiering, prefix: tieringPrefix(clusterId) },
    };
  }

  return {
    forBroker,
    /** As forBroker, but while the version is still `after`, waits up to `waitMs` for a change first. */
    async nextForBroker(clusterId: string, token: string, after: number, waitMs: number, signal: AbortSignal): Promise<ClusterConfig> {
      const config = await forBroker(clusterId, token);
      if (config.version !== after || waitMs === 0) return config;
      await watch.wait(clusterId, after, waitMs, signal);
      return forBroker(clusterId, token);
    },
    /** A change of the cluster's keys, quotas or policy committed: its brokers hear of it now. */
    changed: (clusterId: string) => watch.notify(clusterId),
    close: () => watch.close(),
  };
}
