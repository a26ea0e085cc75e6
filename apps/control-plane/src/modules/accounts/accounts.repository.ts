import type { Db } from '../../repository.ts';

/** Identity (users) is global; everything an account can reach goes through a membership. */
export function usersRepository(db: Db) {
  return {
    findByEmail: (email: string) => db.user.findUnique({ where: { email } }),
    create: (data: { email: string; passwordHash: string }) => db.user.create({ data }),
    setPasswordHash: (id: string, passwordHash: string) => db.user.update({ where: { id }, data: { passwordHash } }),
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
    touch: (id: string, at: Date) => db.session.updateMany({ where: { id }, data: { lastUsedAt: at } }),
    /** Deletes up to `limit` sessions past their absolute or idle end; answers how many. */
    async purgeEnded(now: Date, idleSince: Date, limit: number): Promise<number> {
      const ended = await db.session.findMany({
        where: { OR: [{ expiresAt: { lte: now } }, { lastUsedAt: { lte: idleSince } }] },
        select: { id: true },
        take: limit,
      });
      if (ended.length === 0) return 0;
      return (await db.session.deleteMany({ where: { id: { in: ended.map((s) => s.id) } } })).count;
    },
  };
}
