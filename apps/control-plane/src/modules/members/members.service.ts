import type { AddMemberRequest, Member, Page, PageQuery, Role } from '@fjord/api';
import type { AuthContext } from '../../auth-context.ts';
import type { Repositories, Transact } from '../../data-access.ts';
import { decodeCursor, isUuid, toPage } from '../../cursor.ts';
import { ApiProblem, notFound } from '../../errors.ts';
import { toApiRole, toDbRole } from '../../mapping.ts';
import { authorize } from '../../permissions.ts';
import { isUniqueViolation } from '../../repository.ts';

type Deps = {
  repos: Pick<Repositories, 'memberships'>;
  transact: Transact;
  /** A member's role changed or they left: whatever this process cached about their API keys must go. */
  onMemberChange?: (orgId: string, userId: string) => void;
};
type Row = Awaited<ReturnType<Repositories['memberships']['get']>> & {};

const toMember = (row: Row): Member => ({
  id: row.id,
  userId: row.userId,
  email: row.user.email,
  role: toApiRole(row.role),
  createdAt: row.createdAt.toISOString(),
});

export function membersService({ repos, transact, onMemberChange }: Deps) {
  /** Granting, changing or taking away the owner role is for owners only. */
  function authorizeRoleChange(ctx: AuthContext, ...roles: Role[]) {
    authorize(ctx, 'members:write');
    if (roles.includes('owner')) authorize(ctx, 'members:manage-owners');
  }

  return {
    async list(ctx: AuthContext, query: PageQuery): Promise<Page<Member>> {
      authorize(ctx, 'members:read');
      const rows = await repos.memberships.list(ctx.orgId, { limit: query.limit, after: decodeCursor(query.cursor, isUuid) });
      return toPage(rows, query.limit, (r) => r.id, toMember);
    },

    async get(ctx: AuthContext, id: string): Promise<Member> {
      authorize(ctx, 'members:read');
      const row = await repos.memberships.get(ctx.orgId, id);
      if (!row) throw notFound('Member', id);
      return toMember(row);
    },

    async add(ctx: AuthContext, input: Required<AddMemberRequest>): Promise<Member> {
      authorizeRoleChange(ctx, input.role);
      try {
        const row = await transact(async (tx) => {
          const user = await tx.users.findByEmail(input.email);
          if (!user) throw new ApiProblem('FJ_NOT_FOUND', `no Fjord account has the email ${input.email}; they need to sign up first`);
          if (await tx.memberships.findByUser(ctx.orgId, user.id)) throw new ApiProblem('FJ_CONFLICT', `${input.email} is already a member`);
          const created = await tx.memberships.create(ctx.orgId, { userId: user.id, role: toDbRole(input.role) });
          await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'member.create', resource: { type: 'member', id: created.id }, requestId: ctx.requestId });
          return created;
        });
        return toMember(row);
      } catch (err) {
        if (isUniqueViolation(err)) throw new ApiProblem('FJ_CONFLICT', `${input.email} is already a member`);
        throw err;
      }
    },

    async update(ctx: AuthContext, id: string, input: { role: Role }): Promise<Member> {
      authorize(ctx, 'members:write');
      const row = await transact(async (tx) => {
        const current = await tx.memberships.get(ctx.orgId, id);
        if (!current) throw notFound('Member', id);
        authorizeRoleChange(ctx, toApiRole(current.role), input.role);
        if (current.role === 'OWNER' && input.role !== 'owner' && (await tx.memberships.countOwners(ctx.orgId)) === 1) {
          throw new ApiProblem('FJ_LAST_OWNER', 'make another member an owner first');
        }
        const updated = await tx.memberships.updateRole(ctx.orgId, id, toDbRole(input.role));
        await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'member.update', resource: { type: 'member', id }, requestId: ctx.requestId });
        return updated;
      });
      onMemberChange?.(ctx.orgId, row.userId);
      return toMember(row);
    },

    async remove(ctx: AuthContext, id: string): Promise<void> {
      authorize(ctx, 'members:write');
      const removed = await transact(async (tx) => {
        const current = await tx.memberships.get(ctx.orgId, id);
        if (!current) throw notFound('Member', id);
        authorizeRoleChange(ctx, toApiRole(current.role));
        if (current.role === 'OWNER' && (await tx.memberships.countOwners(ctx.orgId)) === 1) {
          throw new ApiProblem('FJ_LAST_OWNER', 'make another member an owner first');
        }
        // Their sessions and the API keys they created hang off the membership and are deleted with it.
        const keys = await tx.apiKeys.listCreatedBy(ctx.orgId, current.userId);
        await tx.memberships.delete(ctx.orgId, id);
        await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'member.delete', resource: { type: 'member', id }, requestId: ctx.requestId });
        for (const key of keys) {
          await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'api_key.delete', resource: { type: 'api_key', id: key.id }, requestId: ctx.requestId });
        }
        return current;
      });
      onMemberChange?.(ctx.orgId, removed.userId);
    },
  };
}
