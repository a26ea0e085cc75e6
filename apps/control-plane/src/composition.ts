import type { PrismaClient } from '@fjord/db';
import { organizationsRepository, sessionsRepository, usersRepository } from './modules/accounts/accounts.repository.ts';
import { accountsService } from './modules/accounts/accounts.service.ts';
import { apiKeysRepository } from './modules/api-keys/api-keys.repository.ts';
import { apiKeysService } from './modules/api-keys/api-keys.service.ts';
import { auditRepository } from './modules/audit/audit.repository.ts';
import { auditService } from './modules/audit/audit.service.ts';
import { idempotencyRepository } from './modules/idempotency/idempotency.repository.ts';
import { idempotencyService } from './modules/idempotency/idempotency.service.ts';
import { membershipsRepository } from './modules/members/members.repository.ts';
import { membersService } from './modules/members/members.service.ts';
import type { ClusterSecrets } from './cluster-secrets.ts';
import { clusterConfigService } from './internal/cluster-config.ts';
import { clusterApiKeysRepository } from './modules/cluster-api-keys/cluster-api-keys.repository.ts';
import { clusterApiKeysService } from './modules/cluster-api-keys/cluster-api-keys.service.ts';
import { clusterEventsRepository } from './modules/cluster-events/cluster-events.repository.ts';
import { clusterEventsService } from './modules/cluster-events/cluster-events.service.ts';
import { ClusterChanges } from './modules/clusters/cluster-changes.ts';
import { clustersRepository } from './modules/clusters/clusters.repository.ts';
import { clustersService, type BrokerPlacement } from './modules/clusters/clusters.service.ts';
import { AdminPool } from './kafka/index.ts';
import { topicsService } from './modules/topics/topics.service.ts';
import type { Db } from './repository.ts';

/** Every repository, bound to the client or to an open transaction. */
export function createRepositories(db: Db) {
  return {
    users: usersRepository(db),
    organizations: organizationsRepository(db),
    sessions: sessionsRepository(db),
    memberships: membershipsRepository(db),
    apiKeys: apiKeysRepository(db),
    audit: auditRepository(db),
    idempotency: idempotencyRepository(db),
    clusters: clustersRepository(db),
    clusterApiKeys: clusterApiKeysRepository(db),
    clusterEvents: clusterEventsRepository(db),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

/** Runs `fn` in one database transaction, with repositories bound to it. */
export type Transact = <T>(fn: (repos: Repositories) => Promise<T>) => Promise<T>;

export interface ServiceOptions {
  sessionTtlMs: number;
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
}

/** Repositories on the client, and `transact` for work that must commit together. */
export function createDataAccess(prisma: PrismaClient, { transactionWaitMs = 10_000 } = {}): { repos: Repositories; transact: Transact } {
  // PGlite runs one transaction at a time, so a transaction may wait its turn behind others; past
  // `transactionWaitMs` it gives up untouched (a 503 the client retries).
  const transact: Transact = (fn) =>
    prisma.$transaction((tx) => fn(createRepositories(tx)), { maxWait: transactionWaitMs, timeout: 15_000 });
  return { repos: createRepositories(prisma), transact };
}

/** The composition root: repositories, then the services built on them. */
export function createServices(prisma: PrismaClient, options: ServiceOptions) {
  const { repos, transact } = createDataAccess(prisma, { transactionWaitMs: options.transactionWaitMs });
  const clusterChanges = new ClusterChanges();
  const clusters = clustersService({
    repos,
    transact,
    secrets: options.clusterSecrets,
    placement: options.placement,
    onChange: (clusterId) => {
      clusterChanges.notify(clusterId);
      options.onClusterChange?.();
    },
    changes: clusterChanges,
    recheckMs: options.clusterWaitRecheckMs ?? 500,
  });
  return {
    accounts: accountsService({ repos, transact, sessionTtlMs: options.sessionTtlMs }),
    members: membersService({ repos, transact }),
    apiKeys: apiKeysService({ repos, transact, cacheMs: options.apiKeyCacheMs }),
    audit: auditService({ repos }),
    idempotency: idempotencyService({ repos }),
    clusters,
    /** Where the reconciler of this process announces its transitions, to wake waiting requests. */
    clusterChanges,
    clusterApiKeys: clusterApiKeysService({ repos, transact }),
    clusterEvents: clusterEventsService({ repos }),
    clusterConfig: clusterConfigService({ repos, secrets: options.clusterSecrets }),
    // Topics are read from and changed in the clusters themselves, over connections kept per cluster.
    topics: topicsService({ repos, clusters, kafka: new AdminPool() }),
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
  };
}
export type Services = ReturnType<typeof createServices>;
