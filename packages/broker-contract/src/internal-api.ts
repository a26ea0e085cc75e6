import * as z from 'zod';

/**
 * The control plane's broker-facing HTTP API. Every call carries the cluster's broker token as
 * `Authorization: Bearer <token>`; an unknown cluster and a wrong token both answer 401.
 */
export const internalPaths = {
  /** GET: the cluster config (clusterConfigSchema). */
  clusterConfig: (clusterId: string) => `/internal/clusters/${encodeURIComponent(clusterId)}/config`,
  /** POST: the broker's current use (brokerStatusSchema), answered 204. */
  clusterStatus: (clusterId: string) => `/internal/clusters/${encodeURIComponent(clusterId)}/status`,
  /** POST: a usage report (usageReportSchema), answered with usageReportAckSchema. */
  usage: '/internal/usage',
} as const;

/** The longest a config long poll may be held open. */
export const MAX_CONFIG_WAIT_MS = 60_000;

/**
 * Query of the config GET. With `after`, the answer waits (up to `waitMs`) until the config's version
 * differs from `after`, so a change reaches the broker at once without polling; it answers the
 * current config either way.
 */
export const clusterConfigQuerySchema = z
  .object({
    after: z.coerce.number().int().nonnegative().optional(),
    waitMs: z.coerce.number().int().min(0).max(MAX_CONFIG_WAIT_MS).default(0),
  })
  .strict();
export type ClusterConfigQuery = z.input<typeof clusterConfigQuerySchema>;
