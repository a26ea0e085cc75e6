import * as z from 'zod';
import { credentialSchema } from './credentials.ts';

/** Limits the broker enforces for its cluster (from the plan, or overridden per cluster). -1: unlimited. */
export const clusterQuotasSchema = z.object({
  ingressBytesPerSecond: z.number().int().positive(),
  egressBytesPerSecond: z.number().int().positive(),
  maxPartitions: z.number().int().positive(),
  storageBytes: z.number().int().positive(),
  maxRetentionMs: z.number().int().min(-1),
  maxMessageBytes: z.number().int().positive(),
  maxConnections: z.number().int().positive(),
});
export type ClusterQuotas = z.infer<typeof clusterQuotasSchema>;

/** Where and when closed segments move to object storage (KIP-405's local retention). */
export const tieringPolicySchema = z.object({
  enabled: z.boolean(),
  localRetentionMs: z.number().int().min(-1),
  /** Key prefix of the cluster's objects, `clusters/<clusterId>/`; deleted with the cluster. */
  prefix: z.string().min(1),
});
export type TieringPolicy = z.infer<typeof tieringPolicySchema>;

/**
 * What a broker pulls from `GET /internal/clusters/:id/config`. `version` grows with every change, so
 * a broker applies an answer only when it differs from what it has. Unknown fields are dropped on
 * parse: a control plane that adds one (ACLs, say) does not break older brokers.
 */
export const clusterConfigSchema = z.object({
  clusterId: z.string().min(1),
  version: z.number().int().nonnegative(),
  credentials: z.array(credentialSchema),
  quotas: clusterQuotasSchema,
  tiering: tieringPolicySchema,
});
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;
