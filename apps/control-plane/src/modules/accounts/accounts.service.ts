import type { LoginRequest, Me, SignupRequest } from '@fjord/api';
import { v7 as uuidv7 } from 'uuid';
import type { AuthContext } from '../../auth-context.ts';
import type { Repositories, Transact } from '../../data-access.ts';
import { decoyPasswordHash, hashPassword, needsRehash, newSecret, sha256, verifyPassword } from '../../credentials.ts';
import { ApiProblem } from '../../errors.ts';
import { toApiRole } from '../../mapping.ts';
import { isUniqueViolation } from '../../repository.ts';

type Deps = {
  repos: Pick<Repositories, 'sessions' | 'memberships' | 'users'>;
  transact: Transact;
  /** Told of a signup for an email that already has an account, which the answer does not reveal. */
  onSignupForExistingAccount: (userId: string, requestId: string) => void;
  sessionTtlMs: number;
  /** A session unused this long has ended, whatever its absolute expiry. */
  sessionIdleMs: number;
};

// How stale lastUsedAt may get before a request writes it again: one write per session and minute at
// most, and never more than 1% of the idle timeout late.
const touchEveryMs = (idleMs: number) => Math.min(60_000, idleMs / 100);

/** A signed-in answer: who the caller now is, and the cookie token of their new session (never stored). */
export interface SignedIn {
  me: Me;
  sessionToken: string;
  expiresAt: Date;
}

const sessionTokenPrefix = 'fjs_';

export function accountsService({ repos, transact, sessionTtlMs, sessionIdleMs, onSignupForExistingAccount }: Deps) {
  function newSession() {
    const token = newSecret(sessionTokenPrefix);
    return { token, tokenHash: sha256(token), expiresAt: new Date(Date.now() + sessionTtlMs) };
  }

  /**
   * The answer to a signup for an email that has an account: shaped like a success (fresh v7 ids like
   * real ones), creating nothing, with a session token that was never stored, so the answer does not
   * tell who has an account. Clouds that confirm the address by email answer alike too; without a
   * mailer, trying the cookie still tells, which the signup rate limit bounds (SECURITY.md).
   */
  function lookalikeSignup(input: Pick<SignupRequest, 'email' | 'organizationName'>, userId: string, requestId: string): SignedIn {
    onSignupForExistingAccount(userId, requestId);
    const session = newSession();
    const now = new Date().toISOString();
    return {
      me: { user: { id: uuidv7(), email: input.email, createdAt: now }, apiKey: null, organization: { id: uuidv7(), name: input.organizationName }, role: 'owner' },
      sessionToken: session.token,
      expiresAt: session.expiresAt,
    };
  }

  return {
    async signup(input: Required<Pick<SignupRequest, 'email' | 'password' | 'organizationName'>>, requestId: string): Promise<SignedIn> {
      const passwordHash = await hashPassword(input.password);
      const session = newSession();
      try {
        return await transact(async (tx) => {
          const existing = await tx.users.findByEmail(input.email);
          if (existing) return lookalikeSignup(input, existing.id, requestId);
          const user = await tx.users.create({ email: input.email, passwordHash });
          const org = await tx.organizations.create({ name: input.organizationName });
          await tx.memberships.create(org.id, { userId: user.id, role: 'OWNER' });
          const created = await tx.sessions.create(org.id, { userId: user.id, tokenHash: session.tokenHash, expiresAt: session.expiresAt });
          const actor = { type: 'user' as const, id: user.id, label: user.email };
          await tx.audit.record(org.id, { actor, action: 'organization.create', resource: { type: 'organization', id: org.id }, requestId });
          await tx.audit.record(org.id, { actor, action: 'session.create', resource: { type: 'session', id: created.id }, requestId });
          return {
            me: {
              user: { id: user.id, email: user.email, createdAt: user.createdAt.toISOString() },
              apiKey: null,
              organization: { id: org.id, name: org.name },
              role: 'owner',
            },
            sessionToken: session.token,
            expiresAt: session.expiresAt,
          };
        });
      } catch (err) {
        // Two signups with one email raced past the check: the unique index decides, and the loser is answered alike.
        const winner = isUniqueViolation(err) ? await repos.users.findByEmail(input.email) : null;
        if (winner) return lookalikeSignup(input, winner.id, requestId);
        throw err;
      }
    },

    async login(input: Pick<LoginRequest, 'email' | 'password' | 'organizationId'>, requestId: string): Promise<SignedIn> {
      const user = await repos.users.findByEmail(input.email);
      const valid = await verifyPassword(input.password, user?.passwordHash ?? (await decoyPasswordHash()));
      if (!user || !valid) throw new ApiProblem('FJ_INVALID_CREDENTIALS');
      // The password is at hand only now: a hash made at an older, lower cost is raised to today's.
      if (needsRehash(user.passwordHash)) await repos.users.setPasswordHash(user.id, await hashPassword(input.password));
      const membership = input.organizationId
        ? await repos.memberships.findByUser(input.organizationId, user.id)
        : await repos.memberships.firstForUser(user.id);
      if (!membership) throw new ApiProblem('FJ_FORBIDDEN', 'this account is not a member of that organization');
      const session = newSession();
      return transact(async (tx) => {
        const org = await tx.organizations.get(membership.orgId);
        const created = await tx.sessions.create(membership.orgId, { userId: user.id, tokenHash: session.tokenHash, expiresAt: session.expiresAt });
        await tx.audit.record(membership.orgId, {
          actor: { type: 'user', id: user.id, label: user.email },
          action: 'session.create',
          resource: { type: 'session', id: created.id },
          requestId,
        });
        return {
          me: {
            user: { id: user.id, email: user.email, createdAt: user.createdAt.toISOString() },
            apiKey: null,
            organization: { id: membership.orgId, name: org!.name },
            role: toApiRole(membership.role),
          },
          sessionToken: session.token,
          expiresAt: session.expiresAt,
        };
      });
    },

    async logout(ctx: AuthContext): Promise<void> {
      const sessionId = ctx.sessionId;
      if (!sessionId) return;
      await transact(async (tx) => {
        await tx.sessions.delete(ctx.orgId, sessionId);
        await tx.audit.record(ctx.orgId, { actor: ctx.actor, action: 'session.delete', resource: { type: 'session', id: sessionId }, requestId: ctx.requestId });
      });
    },

    /** The context of a session cookie, or undefined when it is unknown or expired. One indexed lookup. */
    async resolveSession(token: string, requestId: string): Promise<AuthContext | undefined> {
      if (!token.startsWith(sessionTokenPrefix)) return undefined;
      const session = await repos.sessions.resolve(sha256(token));
      const now = Date.now();
      if (!session || session.expiresAt.getTime() <= now || session.lastUsedAt.getTime() + sessionIdleMs <= now) return undefined;
      if (now - session.lastUsedAt.getTime() >= touchEveryMs(sessionIdleMs)) await repos.sessions.touch(session.id, new Date(now));
      const { user, organization, role } = session.membership;
      return {
        actor: { type: 'user', id: user.id, label: user.email },
        orgId: session.orgId,
        orgName: organization.name,
        role: toApiRole(role),
        user: { id: user.id, email: user.email, createdAt: user.createdAt },
        sessionId: session.id,
        requestId,
      };
    },

    /** Deletes sessions that have ended (expired or idle), at most `limit` per call; answers how many. */
    purgeEndedSessions(limit: number): Promise<number> {
      const now = Date.now();
      return repos.sessions.purgeEnded(new Date(now), new Date(now - sessionIdleMs), limit);
    },

    me(ctx: AuthContext): Me {
      return {
        user: ctx.user ? { id: ctx.user.id, email: ctx.user.email, createdAt: ctx.user.createdAt.toISOString() } : null,
        apiKey: ctx.apiKey ?? null,
        organization: { id: ctx.orgId, name: ctx.orgName },
        role: ctx.role,
      };
    },
  };
}
