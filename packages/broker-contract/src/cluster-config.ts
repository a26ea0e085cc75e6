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

/**
 * Byte rates of one cluster API key (Confluent's client quotas, Kafka's `user` quota entity). A field
 * left out is not limited per key; the cluster's own rates still hold.
 */
export const clientQuotaSchema = z.object({
  ingressBytesPerSecond: z.number().int().positive().optional(),
  egressBytesPerSecond: z.number().int().positive().optional(),
});
export type ClientQuota = z.infer<typeof clientQuotaSchema>;

/** Per-key quotas: one entry per key that has its own, and a default for every other key. */
export const clientQuotasSchema = z.object({
  default: clientQuotaSchema.optional(),
  /** By cluster API key (the SASL username). */
  keys: z.record(z.string().min(1), clientQuotaSchema),
});
export type ClientQuotas = z.infer<typeof clientQuotasSchema>;

/** Cluster settings an owner chooses. Auto-creation is off unless turned on, as on Confluent Cloud. */
export const clusterSettingsSchema = z.object({
  autoCreateTopics: z.boolean(),
});
export type ClusterSettings = z.infer<typeof clusterSettingsSchema>;

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
  /** The effective cluster quotas: the plan's ceiling, or lower where the owner set them lower. */
  quotas: clusterQuotasSchema,
  clientQuotas: clientQuotasSchema.default({ keys: {} }),
  settings: clusterSettingsSchema.default({ autoCreateTopics: false }),
  tiering: tieringPolicySchema,
});
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;
