import { z } from 'zod';
import { Id, Timestamp } from './common.ts';
import { page } from './pagination.ts';
import { shownOnceSecret } from './shown-once.ts';

export const CreateApiKeyRequest = z
  .object({ description: z.string().trim().min(1).max(200) })
  .strict()
  .meta({ id: 'CreateApiKeyRequest' });
export type CreateApiKeyRequest = z.input<typeof CreateApiKeyRequest>;

export const ApiKey = z
  .object({ id: Id, description: z.string(), createdAt: Timestamp })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

/** Answer to a create: the only time the secret is ever shown. */
export const CreatedApiKey = ApiKey.extend({
  secret: shownOnceSecret('Send as `Authorization: Bearer <secret>`. Fjord keeps only its hash.'),
}).meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyPage = page(ApiKey).meta({ id: 'ApiKeyPage' });
