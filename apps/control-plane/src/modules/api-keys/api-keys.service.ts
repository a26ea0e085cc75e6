import type { ApiKey, CreatedApiKey, Page, PageQuery, Role } from '@fjord/api';
import type { AuthContext } from '../../auth-context.ts';
import type { Repositories, Transact } from '../../data-access.ts';
import { newSecret, sha256 } from '../../credentials.ts';
import { decodeCursor, isUuid, toPage } from '../../cursor.ts';
import { notFound } from '../../errors.ts';
import { toApiRole } from '../../mapping.ts';
import { apiKeyRole, authorize } from '../../permissions.ts';
import { enforceLimit } from '../quotas/organization-limits.ts';

type Deps = {
  repos: Pick<Repositories, 'apiKeys'>;
  transact: Transact;
  /**
   * How long a resolved key is trusted without asking the database again (0: always ask). A key
   * deleted through this process is forgotten at once; other replicas refuse it within this time.
   */
  cacheMs?: number;
};
type Resolved = {
  id: string;
  orgId: string;
  orgName: string;
  description: string;
  creator: { userId: string; role: Role } | undefined;
  expiresAt: number;
};
type Row = { id: string; description: string; createdAt: Date };

const secretPrefix = 'fjk_';
const CACHE_ENTRIES = 10_000;
const toApiKey = (row: Row): ApiKey => ({ id: row.id, description: row.description, createdAt: row.createdAt.toISOString() });

export function apiKeysService({ repos, transact, cacheMs = 2_000 }: Deps) {
  // By secret hash; insertion order doubles as age, so the oldest entry goes first when it is full.
  const resolved = new Map<string, Resolved>();
  const forgetWhere = (match: (entry: Resolved) => boolean) => {
    for (const [hash, entry] of resolved) if (match(entry)) resolved.delete(hash);
  };

  async function lookup(secretHash: string): Promise<Resolved | undefined> {
    const cached = resolved.get(secretHash);
    if (cached && cached.expiresAt > Date.now()) return cached;
    resolved.delete(secretHash);
    const key = await repos.apiKeys.resolve(secretHash);
    if (!key) return undefined;
    const entry: Resolved = {
      id: key.id,
      orgId: key.orgId,
      orgName: key.organization.name,
      description: key.description,
      creator: key.createdByUserId && key.creator ? { userId: key.createdByUserId, role: toApiRole(key.creator.role) } : undefined,
      expiresAt: Date.now() + cacheMs,
    };
    if (cacheMs > 0) {
      if (resolved.size >= CACHE_ENTRIES) resolved.delete(resolved.keys().next().value!);
      resolved.set(secretHash, entry);
    }
    return entry;
  }

  return {
    async create(ctx: AuthContext, input: { description: string }): Promise<CreatedApiKey> {
      authorize(ctx, 'api-keys:write');
      const secret = newSecret(secretPrefix);
      const row = await transact(async (tx) => {
        await enforceLimit(tx, ctx.orgId, 'maxApiKeys');
        const key = await tx.apiKeys.create(ctx.orgId, {
          description: input.description,
          secretHash: sha256(secret),
          // A key made with a key belongs to the same member, so it cannot outlive them either.
          createdByUserId: ctx.user?.id ?? ctx.keyCreatorId ?? null,
        });
        await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'api_key.create', resource: { type: 'api_key', id: key.id }, requestId: ctx.requestId });
        return key;
      });
      return { ...toApiKey(row), secret };
    },

    async list(ctx: AuthContext, query: PageQuery): Promise<Page<ApiKey>> {
      authorize(ctx, 'api-keys:read');
      const rows = await repos.apiKeys.list(ctx.orgId, { limit: query.limit, after: decodeCursor(query.cursor, isUuid) });
      return toPage(rows, query.limit, (r) => r.id, toApiKey);
    },

    async get(ctx: AuthContext, id: string): Promise<ApiKey> {
      authorize(ctx, 'api-keys:read');
      const row = await repos.apiKeys.get(ctx.orgId, id);
      if (!row) throw notFound('API key', id);
      return toApiKey(row);
    },

    async delete(ctx: AuthContext, id: string): Promise<void> {
      authorize(ctx, 'api-keys:write');
      await transact(async (tx) => {
        const { count } = await tx.apiKeys.delete(ctx.orgId, id);
        if (count === 0) throw notFound('API key', id);
        await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'api_key.delete', resource: { type: 'api_key', id }, requestId: ctx.requestId });
      });
      forgetWhere((entry) => entry.id === id);
    },

    /**
     * A member's role changed or they left: their keys' cached contexts are dropped at once, so this
     * process answers the next request from the database (the membership cascade or the new role).
     */
    forgetCreatedBy(orgId: string, userId: string): void {
      forgetWhere((entry) => entry.orgId === orgId && entry.creator?.userId === userId);
    },

    /** The context of a Bearer secret, or undefined when no live key has it. At most one indexed lookup, no KDF. */
    async resolveSecret(secret: string, requestId: string): Promise<AuthContext | undefined> {
      if (!secret.startsWith(secretPrefix)) return undefined;
      const key = await lookup(sha256(secret));
      if (!key) return undefined;
      return {
        actor: { type: 'api_key', id: key.id, label: key.description },
        orgId: key.orgId,
        orgName: key.orgName,
        role: apiKeyRole(key.creator?.role),
        apiKey: { id: key.id, description: key.description },
        keyCreatorId: key.creator?.userId,
        requestId,
      };
    },
  };
}
