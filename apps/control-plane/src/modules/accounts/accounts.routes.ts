import { endpoints } from '@fjord/api';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Services } from '../../composition.ts';
import { sessionCookie } from '../../plugins/auth-context.ts';
import { route } from '../../routing.ts';
import type { SignedIn } from './accounts.service.ts';

export interface AccountsRoutesOptions {
  services: Pick<Services, 'accounts'>;
  secureCookies: boolean;
}

export const accountsRoutes: FastifyPluginAsync<AccountsRoutesOptions> = async (app, { services, secureCookies }) => {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies } as const;
  const startSession = (reply: FastifyReply, signedIn: SignedIn) => {
    reply.setCookie(sessionCookie, signedIn.sessionToken, { ...cookieOptions, expires: signedIn.expiresAt });
    return signedIn.me;
  };
  // Guesses are counted per client address and per account.
  const rateLimit = { limits: ['signin-per-address', 'signin-per-email'] as const };

  route(app, endpoints.signup, async ({ body }, req, reply) => startSession(reply, await services.accounts.signup(body, req.id)), rateLimit);
  route(app, endpoints.login, async ({ body }, req, reply) => startSession(reply, await services.accounts.login(body, req.id)), rateLimit);
  route(app, endpoints.logout, async (_input, req, reply) => {
    await services.accounts.logout(req.ctx);
    reply.clearCookie(sessionCookie, cookieOptions);
    return undefined;
  });
  route(app, endpoints.me, (_input, req) => services.accounts.me(req.ctx));
};
