import { z } from 'zod';
import { credentialSchema } from './broker-config.ts';

/** The answer of the control plane's `GET /internal/clusters/:id/config`. */
export const clusterConfigSchema = z.object({
  clusterId: z.string().min(1),
  version: z.number().int(),
  credentials: z.array(credentialSchema),
  quotas: z.record(z.string(), z.unknown()).default({}),
  tiering: z.record(z.string(), z.unknown()).default({}),
});

export type ClusterConfig = z.infer<typeof clusterConfigSchema>;
