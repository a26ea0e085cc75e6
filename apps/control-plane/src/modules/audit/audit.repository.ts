import type { Actor } from '../../auth-context.ts';
import type { Db, PageRequest } from '../../repository.ts';

export interface AuditEntry {
  actor: Actor;
  action: string;
  resource: { type: string; id: string };
  requestId?: string;
}

export function auditRepository(db: Db) {
  return {
    record: (orgId: string, entry: AuditEntry) =>
      db.auditEvent.create({
        data: {
          orgId,
          actorType: entry.actor.type,
          actorId: entry.actor.id,
          actorLabel: entry.actor.label,
          action: entry.action,
          resourceType: entry.resource.type,
          resourceId: entry.resource.id,
          requestId: entry.requestId ?? null,
        },
      }),
    /** Newest first; `after` is the `seq` of the last event of the previous page. */
    list: (orgId: string, page: PageRequest) =>
      db.auditEvent.findMany({
        where: { orgId, ...(page.after ? { seq: { lt: BigInt(page.after) } } : {}) },
        orderBy: { seq: 'desc' },
        take: page.limit + 1,
      }),
  };
}
