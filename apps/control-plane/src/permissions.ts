import type { Role } from '@fjord/api';
import { ApiProblem } from './errors.ts';
import type { AuthContext } from './auth-context.ts';

/** Every action a role may be granted. Services name one before they read or change anything. */
export type Action =
  | 'organization:read'
  | 'members:read'
  | 'members:write'
  | 'members:manage-owners'
  | 'api-keys:read'
  | 'api-keys:write'
  | 'audit:read'
  | 'topics:read'
  | 'topics:write'
  | 'consumer-groups:read'
  | 'consumer-groups:write'
  | 'clusters:read'
  | 'clusters:write'
  | 'cluster-api-keys:read'
  | 'cluster-api-keys:write'
  | 'billing:read';

const reads: readonly Action[] = ['organization:read', 'members:read', 'api-keys:read', 'audit:read', 'topics:read', 'consumer-groups:read', 'clusters:read', 'cluster-api-keys:read', 'billing:read'];

const grants: Record<Role, ReadonlySet<Action>> = {
  owner: new Set([...reads, 'members:write', 'members:manage-owners', 'api-keys:write', 'topics:write', 'consumer-groups:write', 'clusters:write', 'cluster-api-keys:write']),
  admin: new Set([...reads, 'members:write', 'api-keys:write', 'topics:write', 'consumer-groups:write', 'clusters:write', 'cluster-api-keys:write']),
  viewer: new Set(reads),
};

const rank: Record<Role, number> = { viewer: 0, admin: 1, owner: 2 };

/**
 * Role of a request authenticated by a cloud API key: its creator's current role, at most admin (a
 * key never manages owners), so demoting the creator reduces the key. Keys made before creators were
 * recorded act as admin.
 */
export function apiKeyRole(creatorRole: Role | undefined): Role {
  return creatorRole === undefined || rank[creatorRole] >= rank.admin ? 'admin' : creatorRole;
}

export function can(role: Role, action: Action): boolean {
  return grants[role].has(action);
}

export function authorize(ctx: AuthContext, action: Action): void {
  if (!can(ctx.role, action)) {
    throw new ApiProblem('FJ_FORBIDDEN', `the ${ctx.role} role does not allow ${action}`);
  }
}
