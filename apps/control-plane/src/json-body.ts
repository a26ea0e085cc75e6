import type { FastifyInstance } from 'fastify';

/**
 * JSON request bodies, where an empty one means no body: curl scripts and generic HTTP clients send
 * `Content-Type: application/json` with nothing after it on a DELETE or a bodiless POST. A route that
 * needs a body then fails its validation, as if none had been sent; a non-empty body that is not JSON
 * is still malformed.
 */
export function parseJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body: string, done) => {
    if (body.length === 0) return done(null, undefined);
    parse(req, body, done);
  });
}
