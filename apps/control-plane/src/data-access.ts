import type { PrismaClient } from '@fjord/db';
import { organizationsRepository, sessionsRepository, usersRepository } from './modules/accounts/accounts.repository.ts';
import { apiKeysRepository } from './modules/api-keys/api-keys.repository.ts';
import { auditRepository } from './modules/audit/audit.repository.ts';
import { brokerStatusRepository } from './modules/broker-status/broker-status.repository.ts';
import { idempotencyRepository } from './modules/idempotency/idempotency.repository.ts';
import { membershipsRepository } from './modules/members/members.repository.ts';
import { rateLimitsRepository } from './modules/rate-limits/rate-limits.repository.ts';
import { clusterApiKeysRepository } from './modules/cluster-api-keys/cluster-api-keys.repository.ts';
import { clusterEventsRepository } from './modules/cluster-events/cluster-events.repository.ts';
import { clustersRepository } from './modules/clusters/clusters.repository.ts';
import { quotasRepository } from './modules/quotas/quotas.repository.ts';
import { invoicesRepository } from './modules/invoices/invoices.repository.ts';
import { meteredClustersRepository } from './modules/usage/metered-clusters.repository.ts';
import { usageRepository } from './modules/usage/usage.repository.ts';
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
    rateLimits: rateLimitsRepository(db),
    brokerStatus: brokerStatusRepository(db),
    quotas: quotasRepository(db),
    usage: usageRepository(db),
    meteredClusters: meteredClustersRepository(db),
    invoices: invoicesRepository(db),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

/** Runs `fn` in one database transaction, with repositories bound to it. */
export type Transact = <T>(fn: (repos: Repositories) => Promise<T>) => Promise<T>;

/** Repositories on the client, and `transact` for work that must commit together. */
export function createDataAccess(prisma: PrismaClient, { transactionWaitMs = 10_000 } = {}): { repos: Repositories; transact: Transact } {
  // PGlite runs one transaction at a time, so a transaction may wait its turn behind others; past
  // `transactionWaitMs` it gives up untouched (a 503 the client retries).
  const transact: Transact = (fn) =>
    prisma.$transaction((tx) => fn(createRepositories(tx)), { maxWait: transactionWaitMs, timeout: 15_000 });
  return { repos: createRepositories(prisma), transact };
}
