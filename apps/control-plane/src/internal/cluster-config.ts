import { ClusterQuotaSettings, KeyQuota, plans, type PlanLimits, type PlanName } from '@fjord/api';
import type { ClusterConfig, ClusterQuotas } from '@fjord/broker-contract';
import type { ClusterSecrets } from '../cluster-secrets.ts';
import type { Repositories } from '../data-access.ts';
import { authenticateBroker } from './broker-auth.ts';
import type { ConfigWatch } from './config-watch.ts';

/** Where a cluster's tiered objects live in the object store; deleted with the cluster. */
export const tieringPrefix = (clusterId: string) => `clusters/${clusterId}/`;

/** A quota set by the owner holds only where it is below the plan's ceiling (-1 retention is the widest). */
export function effectiveQuotas(ceiling: PlanLimits, settings: ClusterQuotaSettings): ClusterQuotas {
  const lower = (name: keyof PlanLimits) => {
    const set = settings[name];
    const max = ceiling[name];
    if (set === undefined) return max;
    if (name === 'maxRetentionMs') return max === -1 ? set : set === -1 ? max : Math.min(set, max);
    return Math.min(set, max);
  };
  return Object.fromEntries(Object.keys(ceiling).map((name) => [name, lower(name as keyof PlanLimits)])) as ClusterQuotas;
}

const keyQuota = (k: { ingressBytesPerSecond: number | null; egressBytesPerSecond: number | null }) => ({
  ...(k.ingressBytesPerSecond !== null && { ingressBytesPerSecond: k.ingressBytesPerSecond }),
  ...(k.egressBytesPerSecond !== null && { egressBytesPerSecond: k.egressBytesPerSecond }),
});

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
    const keyQuotas = Object.fromEntries(
      cluster.apiKeys.filter((k) => k.ingressBytesPerSecond !== null || k.egressBytesPerSecond !== null).map((k) => [k.key, keyQuota(k)]),
    );
    const defaultKeyQuota = cluster.defaultKeyQuota === null ? undefined : KeyQuota.parse(cluster.defaultKeyQuota);
    return {
      clusterId,
      version: cluster.configVersion,
      credentials: [secrets.adminCredentialHash(clusterId), ...cluster.apiKeys.map((k) => ({ key: k.key, secretHash: k.secretHash }))],
      quotas: effectiveQuotas(plan.limits, ClusterQuotaSettings.parse(cluster.quotaOverrides)),
      clientQuotas: { ...(defaultKeyQuota && { default: defaultKeyQuota }), keys: keyQuotas },
      settings: { autoCreateTopics: cluster.autoCreateTopics },
      tiering: { ...plan.tiering, prefix: tieringPrefix(clusterId) },
    };
  }

  return {
    forBroker,
    /** Throws as forBroker does unless `token` is the cluster's broker token. */
    async authenticate(clusterId: string, token: string): Promise<void> {
      await authenticateBroker(repos, clusterId, token);
    },
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
