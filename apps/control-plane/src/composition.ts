import type { PrismaClient } from '@fjord/db';
import { accountsService } from './modules/accounts/accounts.service.ts';
import { apiKeysService } from './modules/api-keys/api-keys.service.ts';
import { auditService } from './modules/audit/audit.service.ts';
import { brokerStatusService } from './modules/broker-status/broker-status.service.ts';
import { idempotencyService } from './modules/idempotency/idempotency.service.ts';
import { membersService } from './modules/members/members.service.ts';
import { createDataAccess } from './data-access.ts';
import type { ClusterSecrets } from './cluster-secrets.ts';
import { clusterConfigService } from './internal/cluster-config.ts';
import { ConfigWatch } from './internal/config-watch.ts';
import { clusterApiKeysService } from './modules/cluster-api-keys/cluster-api-keys.service.ts';
import { clusterEventsService } from './modules/cluster-events/cluster-events.service.ts';
import { ClusterChanges } from './modules/clusters/cluster-changes.ts';
import { clustersService, type BrokerPlacement } from './modules/clusters/clusters.service.ts';
import { AdminPool } from './kafka/index.ts';
import { quotasService } from './modules/quotas/quotas.service.ts';
import type { TieredStorage } from './modules/topics/tiered-bytes.ts';
import { topicsService } from './modules/topics/topics.service.ts';
import { consumerGroupsService } from './modules/consumer-groups/consumer-groups.service.ts';
import { invoicesService } from './modules/invoices/invoices.service.ts';
import { usageService } from './modules/usage/usage.service.ts';
import { usageIngestService } from './internal/usage-ingest.ts';
import { BrokerCertificates } from './tls/broker-certificates.ts';

export interface ServiceOptions {
  sessionTtlMs: number;
  sessionIdleMs: number;
  /** Told of a signup for an email that already has an account (answered as a success, nothing created). */
  onSignupForExistingAccount?: (userId: string, requestId: string) => void;
  clusterSecrets: ClusterSecrets;
  placement: BrokerPlacement;
  /** Wakes the reconciler after a cluster change. */
  onClusterChange?: () => void;
  /** How often a request waiting on a cluster looks again, for changes made by another replica. */
  clusterWaitRecheckMs?: number;
  /** How long a request waits for a database transaction before it answers 503. */
  transactionWaitMs?: number;
  /** How long a resolved cloud API key is trusted before the database is asked again. */
  apiKeyCacheMs?: number;
  /** What time it is for metering and billing (tests move it past a month end). */
  clock?: () => Date;
  /** The object store clusters tier into, read for topics' remote bytes. */
  tieredStorage?: TieredStorage;
}

/** The composition root: repositories, then the services built on them. */
export function createServices(prisma: PrismaClient, options: ServiceOptions) {
  const { repos, transact } = createDataAccess(prisma, { transactionWaitMs: options.transactionWaitMs });
  const clusterConfig = clusterConfigService({ repos, secrets: options.clusterSecrets, watch: new ConfigWatch((ids) => repos.clusters.configVersions(ids)) });
  const clusterChanges = new ClusterChanges();
  const brokerCertificates = new BrokerCertificates(prisma, options.clusterSecrets);
  const clusters = clustersService({
    repos,
    transact,
    secrets: options.clusterSecrets,
    certificates: brokerCertificates,
    placement: options.placement,
    onConfigChange: clusterConfig.changed,
    onChange: (clusterId) => {
      clusterChanges.notify(clusterId);
      options.onClusterChange?.();
    },
    changes: clusterChanges,
    recheckMs: options.clusterWaitRecheckMs ?? 500,
  });
  const quotas = quotasService({ repos, transact, onConfigChange: clusterConfig.changed });
  const clock = options.clock ?? (() => new Date());
  const apiKeys = apiKeysService({ repos, transact, cacheMs: options.apiKeyCacheMs });
  const kafka = new AdminPool();
  return {
    accounts: accountsService({
      repos,
      transact,
      sessionTtlMs: options.sessionTtlMs,
      sessionIdleMs: options.sessionIdleMs,
      onSignupForExistingAccount: options.onSignupForExistingAccount ?? (() => {}),
    }),
    members: membersService({ repos, transact, onMemberChange: apiKeys.forgetCreatedBy }),
    apiKeys,
    audit: auditService({ repos }),
    idempotency: idempotencyService({ repos }),
    clusters,
    /** The installation's TLS authority and the certificates of brokers; the reconciler issues from it too. */
    brokerCertificates,
    /** Where the reconciler of this process announces its transitions, to wake waiting requests. */
    clusterChanges,
    clusterApiKeys: clusterApiKeysService({ repos, transact, onConfigChange: clusterConfig.changed }),
    clusterEvents: clusterEventsService({ repos }),
    /** Rate-limit windows, counted straight in their table: they belong to no tenant and need no transaction. */
    rateLimits: repos.rateLimits,
    clusterConfig,
    /** What each cluster's broker last reported of its current use. */
    brokerStatus: brokerStatusService({ repos }),
    usageIngest: usageIngestService({ repos }),
    usage: usageService({ repos, clock }),
    invoices: invoicesService({ repos, transact, clock }),
    quotas,
    // Topics and consumer groups are read from and changed in the clusters themselves, over connections kept per cluster.
    topics: topicsService({ repos, clusters, quotas, kafka, tiered: options.tieredStorage }),
    consumerGroups: consumerGroupsService({ repos, clusters, kafka }),
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
  };
}
export type Services = ReturnType<typeof createServices>;
