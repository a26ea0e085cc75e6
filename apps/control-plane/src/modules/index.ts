import type { FastifyInstance } from 'fastify';
import type { Services } from '../composition.ts';
import { accountsRoutes, type AccountsRoutesOptions } from './accounts/accounts.routes.ts';
import { apiKeysRoutes } from './api-keys/api-keys.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { clusterApiKeysRoutes } from './cluster-api-keys/cluster-api-keys.routes.ts';
import { clustersRoutes } from './clusters/clusters.routes.ts';
import { membersRoutes } from './members/members.routes.ts';
import { plansRoutes } from './plans/plans.routes.ts';
import { quotasRoutes } from './quotas/quotas.routes.ts';
import { topicsRoutes } from './topics/topics.routes.ts';
import { consumerGroupsRoutes } from './consumer-groups/consumer-groups.routes.ts';
import { invoicesRoutes } from './invoices/invoices.routes.ts';
import { usageRoutes } from './usage/usage.routes.ts';

export type ModuleOptions = Omit<AccountsRoutesOptions, 'services'>;

/** Every domain module, each an encapsulated plugin. New domains (clusters, topics, usage...) register here. */
export async function registerModules(app: FastifyInstance, services: Services, options: ModuleOptions): Promise<void> {
  await app.register(accountsRoutes, { services, ...options });
  await app.register(membersRoutes, { services });
  await app.register(apiKeysRoutes, { services });
  await app.register(auditRoutes, { services });
  await app.register(plansRoutes);
  await app.register(clustersRoutes, { services });
  await app.register(clusterApiKeysRoutes, { services });
  await app.register(topicsRoutes, { services });
  await app.register(consumerGroupsRoutes, { services });
  await app.register(quotasRoutes, { services });
  await app.register(usageRoutes, { services });
  await app.register(invoicesRoutes, { services });
}
