import type { AuditEvent, Page, PageQuery } from '@fjord/api';
import type { AuthContext } from '../../auth-context.ts';
import type { Repositories } from '../../data-access.ts';
import { decodeCursor, isSequence, toPage } from '../../cursor.ts';
import { authorize } from '../../permissions.ts';

type Deps = { repos: Pick<Repositories, 'audit'> };
type Row = Awaited<ReturnType<Repositories['audit']['list']>>[number];

const toAuditEvent = (row: Row): AuditEvent => ({
  id: row.id,
  actor: { type: row.actorType as AuditEvent['actor']['type'], id: row.actorId, label: row.actorLabel },
  action: row.action,
  resource: { type: row.resourceType, id: row.resourceId },
  requestId: row.requestId,
  createdAt: row.createdAt.toISOString(),
});

/** Reading the trail. Writing happens inside each service's own transaction, next to the change it records. */
export function auditService({ repos }: Deps) {
  return {
    async list(ctx: AuthContext, query: PageQuery): Promise<Page<AuditEvent>> {
      authorize(ctx, 'audit:read');
      const rows = await repos.audit.list(ctx.orgId, { limit: query.limit, after: decodeCursor(query.cursor, isSequence) });
      return toPage(rows, query.limit, (r) => r.seq.toString(), toAuditEvent);
    },
  };
}
