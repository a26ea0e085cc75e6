import type { Role } from '@fjord/db';
import type { Db, PageRequest } from '../../repository.ts';

const withUser = { user: { select: { email: true } } } as const;

export function membershipsRepository(db: Db) {
  return {
    create: (orgId: string, data: { userId: string; role: Role }) =>
      db.membership.create({ data: { ...data, orgId }, include: withUser }),
    get: (orgId: string, id: string) => db.membership.findFirst({ where: { orgId, id }, include: withUser }),
    findByUser: (orgId: string, userId: string) => db.membership.findFirst({ where: { orgId, userId } }),
    list: (orgId: string, page: PageRequest) =>
      db.membership.findMany({
        where: { orgId, ...(page.after ? { id: { gt: page.after } } : {}) },
        orderBy: { id: 'asc' },
        take: page.limit + 1,
        include: withUser,
      }),
    countOwners: (orgId: string) => db.membership.count({ where: { orgId, role: 'OWNER' } }),
    updateRole: (orgId: string, id: string, role: Role) =>
      db.membership.update({ where: { id, orgId }, data: { role }, include: withUser }),
    delete: (orgId: string, id: string) => db.membership.deleteMany({ where: { orgId, id } }),
    /** The organization a user signs in to by default: their oldest membership. */
    firstForUser: (userId: string) =>
      db.membership.findFirst({ where: { userId }, orderBy: { createdAt: 'asc' }, include: { organization: true } }),
  };
}
