import { z } from 'zod';
import { Id, Timestamp } from './common.ts';
import { PlanLimits, PlanName } from './plans.ts';
import { ClusterQuotaSettings, KeyQuota } from './quota-settings.ts';

export const OrganizationLimits = z
  .object({
    maxClusters: z.number().int().nonnegative().describe('Clusters at once (one being deleted no longer counts)'),
    maxApiKeys: z.number().int().nonnegative().describe('Cloud API keys'),
    maxClusterApiKeysPerCluster: z.number().int().nonnegative().describe('Cluster API keys (SASL credentials) of each cluster'),
  })
  .meta({ id: 'OrganizationLimits' });
export type OrganizationLimits = z.infer<typeof OrganizationLimits>;
export type OrganizationLimitName = keyof OrganizationLimits;

/**
 * What every organization may create unless an operator set its own limit: room for a team's
 * development, staging and production clusters with one key per service, and for the provisioning
 * benchmark's 40 clusters; a runaway script meets a limit long before it runs up a bill.
 */
export const defaultOrganizationLimits: Readonly<OrganizationLimits> = {
  maxClusters: 50,
  maxApiKeys: 100,
  maxClusterApiKeysPerCluster: 500,
};

const Count = z.number().int().nonnegative();

/** A limit and how much of it is used. */
const CountedLimit = z.object({ limit: Count, used: Count });

/** A cluster limit with its current use as the brokers last reported it (null before their first report). */
const MeasuredLimit = z.object({ limit: z.number().int(), used: z.number().nonnegative().nullable() });

export const ClusterQuotaUse = z
  .object({
    clusterId: Id,
    name: z.string(),
    plan: PlanName,
    measuredAt: Timestamp.nullable().describe("When the brokers' reading was taken (the oldest of them); null before the first report"),
    ingressBytesPerSecond: MeasuredLimit.describe('Produce bytes a second, over the quota window'),
    egressBytesPerSecond: MeasuredLimit.describe('Fetch bytes a second, over the quota window'),
    partitions: MeasuredLimit,
    storageBytes: MeasuredLimit.describe('Hot (broker-local) bytes; tiered data does not count'),
    connections: MeasuredLimit,
    maxMessageBytes: z.object({ limit: Count }),
    maxRetentionMs: z.object({ limit: z.number().int().describe('-1: unlimited') }),
    apiKeys: CountedLimit.describe("Cluster API keys, against the organization's maxClusterApiKeysPerCluster"),
  })
  .meta({ id: 'ClusterQuotaUse' });
export type ClusterQuotaUse = z.infer<typeof ClusterQuotaUse>;

export const OrganizationQuotas = z
  .object({
    clusters: CountedLimit,
    apiKeys: CountedLimit.describe('Cloud API keys'),
    clusterApiKeysPerCluster: z.object({ limit: Count }),
    clusterQuotas: z.array(ClusterQuotaUse).describe("Each cluster's effective quotas with its current use, oldest cluster first"),
  })
  .meta({ id: 'OrganizationQuotas' });
export type OrganizationQuotas = z.infer<typeof OrganizationQuotas>;

/** A cluster's quotas: what the plan allows, what the owner set below it, and what holds. */
export const ClusterQuotas = z
  .object({
    clusterId: Id,
    plan: PlanName,
    ceiling: PlanLimits.describe("The plan's limits: no quota can be set above them"),
    overrides: ClusterQuotaSettings.describe('Quotas set for this cluster; a limit left out takes the ceiling'),
    effective: PlanLimits.describe('What the brokers enforce'),
    defaultKeyQuota: KeyQuota.nullable().describe('Byte rates of every cluster API key without its own quota'),
  })
  .meta({ id: 'ClusterQuotas' });
export type ClusterQuotas = z.infer<typeof ClusterQuotas>;

const limitChanges = Object.fromEntries(
  Object.entries(PlanLimits.shape).map(([name, schema]) => [name, schema.nullable().optional()]),
) as { [K in keyof PlanLimits]: z.ZodOptional<z.ZodNullable<(typeof PlanLimits.shape)[K]>> };

/** Quotas set at or below the plan's ceiling; null removes one (back to the ceiling). */
export const UpdateClusterQuotasRequest = z
  .object({
    ...limitChanges,
    defaultKeyQuota: KeyQuota.nullable().optional().describe('Byte rates of every key without its own; null: none'),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'Give at least one quota')
  .meta({ id: 'UpdateClusterQuotasRequest' });
export type UpdateClusterQuotasRequest = z.input<typeof UpdateClusterQuotasRequest>;

/** A change of one key's byte rates: a value sets it, null removes it (the cluster's default for keys applies). */
export const KeyQuotaChanges = z
  .object({
    ingressBytesPerSecond: z.number().int().positive().nullable().optional(),
    egressBytesPerSecond: z.number().int().positive().nullable().optional(),
  })
  .strict()
  .meta({ id: 'KeyQuotaChanges' });
export type KeyQuotaChanges = z.input<typeof KeyQuotaChanges>;
