import type { Db } from '../../repository.ts';

/** Identity (users) is global; everything an account can reach goes through a membership. */
export function usersRepository(db: Db) {
  return {
    findByEmail: (email: string) => db.user.findUnique({ where: { email } }),
    create: (data: { email: string; passwordHash: string }) => db.user.create({ data }),
  };
}

export function organizationsRepository(db: Db) {
  return {
    create: (data: { name: string }) => db.organization.create({ data }),
    get: (orgId: string) => db.organization.findUnique({ where: { id: orgId } }),
  };
}

export function sessionsRepository(db: Db) {
  return {
    create: (orgId: string, data: { userId: string; tokenHash: string; expiresAt: Date }) =>
      db.session.create({ data: { ...data, orgId } }),
    /** Resolves a cookie to its session: the one lookup that establishes a tenant instead of taking one. */
    resolve: (tokenHash: string) =>
      db.session.findUnique({ where: { tokenHash }, include: { membership: { include: { user: true, organization: true } } } }),
    delete: (orgId: string, id: string) => db.session.deleteMany({ where: { orgId, id } }),
  };
}
