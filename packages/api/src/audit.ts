import { z } from 'zod';
import { Id, Timestamp } from './common.ts';
import { page } from './pagination.ts';

export const ActorType = z.enum(['user', 'api_key']);

export const AuditEvent = z
  .object({
    id: Id,
    actor: z.object({ type: ActorType, id: z.string(), label: z.string() }),
    action: z.string().describe('`<resource>.<verb>`, e.g. `api_key.create`'),
    resource: z.object({ type: z.string(), id: z.string() }),
    requestId: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditEventPage = page(AuditEvent).meta({ id: 'AuditEventPage' });
