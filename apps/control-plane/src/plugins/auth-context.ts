import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthContext } from '../auth-context.ts';
import type { Services } from '../composition.ts';
import { ApiProblem } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every route not marked `auth: 'public'`; those handlers can rely on it. */
    ctx: AuthContext;
  }
  interface FastifyContextConfig {
    /** Only `'public'` routes skip authentication: a route that says nothing requires it. */
    auth?: 'public' | 'required';
  }
}

export const sessionCookie = 'fjord_session';

export interface AuthContextOptions {
  services: Pick<Services, 'accounts' | 'apiKeys'>;
}

function bearer(req: FastifyRequest): string | undefined {
  const value = req.headers.authorization;
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : '';
}

/**
 * Builds `req.ctx` (actor, organization, role) from an `Authorization: Bearer` cloud API key or the
 * session cookie, before validation, so an anonymous caller learns nothing about a route's input.
 * Authentication is the default, so a route added without thought is closed, not open.
 */
export const authContext = fp<AuthContextOptions>(
  async (app, { services }) => {
    app.decorateRequest('ctx', null as unknown as AuthContext);
    app.addHook('onRequest', async (req) => {
      // An unknown path still answers 404: there is no route there to protect.
      if (req.routeOptions.config?.auth === 'public' || req.is404) return;
      const secret = bearer(req);
      let ctx: AuthContext | undefined;
      if (secret !== undefined) {
        ctx = secret ? await services.apiKeys.resolveSecret(secret, req.id) : undefined;
        if (!ctx) throw new ApiProblem('FJ_UNAUTHORIZED', 'the API key is not valid or has been deleted');
      } else {
        const token = req.cookies[sessionCookie];
        ctx = token ? await services.accounts.resolveSession(token, req.id) : undefined;
        if (!ctx) throw new ApiProblem('FJ_UNAUTHORIZED', 'sign in, or send a cloud API key as `Authorization: Bearer <secret>`');
      }
      req.ctx = ctx;
    });
  },
  { name: 'fjord-auth-context', dependencies: ['@fastify/cookie'] },
);
