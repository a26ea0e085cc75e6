import { defaultOrganizationLimits, type OrganizationLimitName, type OrganizationLimits } from '@fjord/api';
import type { Repositories } from '../../data-access.ts';
import { ApiProblem, notFound } from '../../errors.ts';
import type { LimitOverrides } from './quotas.repository.ts';

/** An organization's limits: the operator's override where one is set, else the default. */
export function organizationLimits(overrides: LimitOverrides | null | undefined): OrganizationLimits {
  return {
    maxClusters: overrides?.maxClusters ?? defaultOrganizationLimits.maxClusters,
    maxApiKeys: overrides?.maxApiKeys ?? defaultOrganizationLimits.maxApiKeys,
    maxClusterApiKeysPerCluster: overrides?.maxClusterApiKeysPerCluster ?? defaultOrganizationLimits.maxClusterApiKeysPerCluster,
  };
}

const counted: Record<OrganizationLimitName, { what: string; count: (tx: Repositories, orgId: string, clusterId?: string) => Promise<number> }> = {
  maxClusters: { what: 'clusters', count: (tx, orgId) => tx.quotas.countClusters(orgId) },
  maxApiKeys: { what: 'cloud API keys', count: (tx, orgId) => tx.quotas.countApiKeys(orgId) },
  maxClusterApiKeysPerCluster: { what: 'API keys on this cluster', count: (tx, orgId, clusterId) => tx.quotas.countClusterApiKeys(orgId, clusterId!) },
};

/**
 * Refuses a create that would take the organization past `limit`. Call it inside the transaction that
 * inserts, before the insert: it locks the organization's row, so concurrent creates cannot overshoot.
 */
export async function enforceLimit(tx: Repositories, orgId: string, limit: OrganizationLimitName, clusterId?: string): Promise<void> {
  const overrides = await tx.quotas.lockOrganization(orgId);
  if (!overrides) throw notFound('organization', orgId);
  const max = organizationLimits(overrides)[limit];
  const { what, count } = counted[limit];
  const used = await count(tx, orgId, clusterId);
  if (used >= max) {
    throw new ApiProblem('FJ_QUOTA_EXCEEDED', `the organization's limit ${limit} is ${max}, and it has ${used} ${what}: delete one, or ask for a higher limit`);
  }
}
