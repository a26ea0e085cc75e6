import type { Db } from '../../repository.ts';

export function idempotencyRepository(db: Db) {
  return {
    find: (orgId: string, actorId: string, key: string) =>
      db.idempotencyRecord.findUnique({ where: { orgId_actorId_key: { orgId, actorId, key } } }),
    /** Claims the key; throws a unique violation when another request claimed it first. */
    claim: (orgId: string, data: { actorId: string; key: string; requestHash: string }) =>
      db.idempotencyRecord.create({ data: { ...data, orgId } }),
    complete: (orgId: string, id: string, response: { statusCode: number; contentType: string | null; body: string }) =>
      db.idempotencyRecord.updateMany({ where: { orgId, id }, data: response }),
    release: (orgId: string, id: string) => db.idempotencyRecord.deleteMany({ where: { orgId, id } }),
    /** Housekeeping across tenants: it reads nothing out, it only deletes what no request may replay any more. */
    purgeCreatedBefore: (cutoff: Date, limit: number) =>
      db.idempotencyRecord.deleteMany({ where: { createdAt: { lt: cutoff } }, limit }),
  };
}
