import fp from 'fastify-plugin';
import { ApiProblem } from '../errors.ts';

export interface SameOriginOptions {
  /** Where users reach the API (FJORD_PUBLIC_URL): its origin is accepted too, behind a proxy that rewrites Host. */
  publicUrl?: string;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses cross-site request forgery: a mutating request a browser sends from another origin, which
 * would act with the session cookie (SameSite=Lax still sends it from another port of the same host).
 * Browsers name the page that sent a request (`Origin`, `Sec-Fetch-Site`); a page cannot forge
 * either, and clients that are not browsers (curl, the SDK, brokers) send neither, so they pass.
 * A cloud API key is never attached by a browser on its own, so bearer requests are not checked.
 */
export const sameOrigin = fp<SameOriginOptions>(
  async (app, { publicUrl }) => {
    const publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
    app.addHook('onRequest', async (req) => {
      if (safeMethods.has(req.method) || req.headers.authorization !== undefined) return;
      const origin = req.headers.origin;
      if (origin !== undefined) {
        if (origin === publicOrigin || hostOf(origin) === req.headers.host) return;
        throw new ApiProblem('FJ_FORBIDDEN', `cross-origin request refused: a page on ${origin} cannot act with this site's session`);
      }
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        throw new ApiProblem('FJ_FORBIDDEN', `cross-origin request refused (Sec-Fetch-Site: ${site})`);
      }
    });
  },
  { name: 'fjord-same-origin' },
);

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
