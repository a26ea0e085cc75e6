import fastifyStatic from '@fastify/static';
import { problems } from '@fjord/api';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendProblem } from './problem-details.ts';

/** Where `apps/console`'s build writes the web console (`npm install` and `npm start` build it). */
export const defaultConsoleDir = fileURLToPath(new URL('../../../console/dist', import.meta.url));

/**
 * What the console's pages may load: only its own scripts, styles and API, never inline code, and no
 * page may frame it. API answers (JSON, nothing to render) get the tightest policy.
 */
export const consoleContentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
export const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

/** Paths that are never console pages: an unknown one answers the API's 404 problem. */
const apiPrefixes = ['/v1/', '/internal/', '/assets/'];

/**
 * Serves the single-page console: hashed files under /assets/ cached for a year, and index.html,
 * never cached so a deploy is picked up at once, for `/` and every other path a browser navigates
 * to (the console routes in the page). Every answer, API ones included, carries the usual browser
 * security headers.
 */
export const consoleSite = fp<{ dir: string | false }>(
  async (app: FastifyInstance, { dir }) => {
    app.addHook('onSend', async (_req, reply) => {
      const html = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
      reply.header('content-security-policy', html ? consoleContentSecurityPolicy : apiContentSecurityPolicy);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cross-origin-opener-policy', 'same-origin');
    });
    const index = dir && existsSync(path.join(dir, 'index.html')) ? readFileSync(path.join(dir, 'index.html')) : undefined;
    if (!dir || !index) return;

    await app.register(async (assets) => {
      // The console's files are public: the page that signs people in is among them.
      assets.addHook('onRoute', (route) => {
        route.config = { ...route.config, auth: 'public' };
      });
      await assets.register(fastifyStatic, {
        root: path.join(dir, 'assets'),
        prefix: '/assets/',
        immutable: true,
        maxAge: '365d',
        index: false,
        decorateReply: false,
      });
    });
    const page = { schema: { hide: true }, config: { auth: 'public' as const } };
    app.get('/*', page, async (req, reply) => {
      const url = req.url.split('?')[0];
      const wantsPage = /\btext\/html\b/.test(req.headers.accept ?? '') || url === '/';
      if (!wantsPage || apiPrefixes.some((p) => url.startsWith(p))) {
        return sendProblem(req, reply, problems.FJ_NOT_FOUND, `no route for ${req.method} ${url}`);
      }
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
    });
  },
  { name: 'fjord-console-site' },
);
