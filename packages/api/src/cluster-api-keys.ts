import { z } from 'zod';
import { Id, Timestamp } from './common.ts';
import { page } from './pagination.ts';
import { KeyQuota } from './quota-settings.ts';
import { KeyQuotaChanges } from './quotas.ts';
import { shownOnceSecret } from './shown-once.ts';

export const ClusterApiKeyParams = z.object({ id: Id, keyId: Id }).strict();

export const CreateClusterApiKeyRequest = z
  .object({ description: z.string().trim().min(1).max(200) })
  .strict()
  .meta({ id: 'CreateClusterApiKeyRequest' });
export type CreateClusterApiKeyRequest = z.input<typeof CreateClusterApiKeyRequest>;

export const UpdateClusterApiKeyRequest = z
  .object({
    description: z.string().trim().min(1).max(200).optional(),
    quota: KeyQuotaChanges.optional().describe("This key's byte rates (Confluent's client quotas for one principal)"),
  })
  .strict()
  .refine((body) => body.description !== undefined || body.quota !== undefined, 'Give description, quota or both')
  .meta({ id: 'UpdateClusterApiKeyRequest' });
export type UpdateClusterApiKeyRequest = z.input<typeof UpdateClusterApiKeyRequest>;

export const ClusterApiKey = z
  .object({
    id: Id,
    clusterId: Id,
    key: z.string().describe('The SASL/PLAIN username'),
    description: z.string(),
    quota: KeyQuota.describe("This key's own byte rates; a rate left out takes the cluster's defaultKeyQuota"),
    createdAt: Timestamp,
  })
  .meta({ id: 'ClusterApiKey' });
export type ClusterApiKey = z.infer<typeof ClusterApiKey>;

/** Answer to a create: the only time the secret is ever shown. */
export const CreatedClusterApiKey = ClusterApiKey.extend({
  secret: shownOnceSecret('The SASL/PLAIN password. Fjord keeps only a salted hash.'),
}).meta({ id: 'CreatedClusterApiKey' });
export type CreatedClusterApiKey = z.infer<typeof CreatedClusterApiKey>;

export const ClusterApiKeyPage = page(ClusterApiKey).meta({ id: 'ClusterApiKeyPage' });
