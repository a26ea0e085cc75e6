import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
 * Whether an unmatched request is a browser navigating to one of the console's pages (the console
 * routes in the page), rather than a call to a path the API does not have.
 */
export function isConsolePage(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url.split('?')[0];
  if (apiPrefixes.some((p) => url.startsWith(p))) return false;
  return url === '/' || /\btext\/html\b/.test(req.headers.accept ?? '');
}

/** The built console's index.html, or undefined when none is built there. */
export function loadConsolePage(dir: string | false): Buffer | undefined {
  return dir && existsSync(path.join(dir, 'index.html')) ? readFileSync(path.join(dir, 'index.html')) : undefined;
}

/** index.html, never cached, so a deploy is picked up at once; its hashed assets are cached for a year. */
export function sendConsolePage(reply: FastifyReply, page: Buffer): FastifyReply {
  return reply.code(200).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page);
}

/**
 * Serves the single-page console's hashed files under /assets/ (index.html is the not-found answer
 * to a page request: see plugins/problem-details). Every answer, API ones included, carries the usual
 * browser security headers.
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
    if (!dir || !existsSync(path.join(dir, 'assets'))) return;
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
  },
  { name: 'fjord-console-site' },
);
