import type { Db, PageRequest } from '../../repository.ts';

export function apiKeysRepository(db: Db) {
  return {
    create: (orgId: string, data: { description: string; secretHash: string; createdByUserId: string | null }) =>
      db.apiKey.create({ data: { ...data, orgId } }),
    get: (orgId: string, id: string) => db.apiKey.findFirst({ where: { orgId, id } }),
    list: (orgId: string, page: PageRequest) =>
      db.apiKey.findMany({
        where: { orgId, ...(page.after ? { id: { gt: page.after } } : {}) },
        orderBy: { id: 'asc' },
        take: page.limit + 1,
      }),
    delete: (orgId: string, id: string) => db.apiKey.deleteMany({ where: { orgId, id } }),
    listCreatedBy: (orgId: string, userId: string) =>
      db.apiKey.findMany({ where: { orgId, createdByUserId: userId }, select: { id: true } }),
    /** Resolves a Bearer secret to its key: the one lookup that establishes a tenant instead of taking one. */
    resolve: (secretHash: string) => db.apiKey.findUnique({ where: { secretHash }, include: { organization: true, creator: { select: { role: true } } } }),
  };
}
