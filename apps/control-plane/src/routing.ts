import { Problem, shownOnceFields, type Endpoint, type EndpointOutput } from '@fjord/api';
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

type Parsed<E, K extends 'params' | 'query' | 'body'> = E extends { [P in K]: infer S extends z.ZodType } ? z.output<S> : undefined;

/** A route handler gets its input already validated and typed, and returns the success body. */
export type Handler<E extends Endpoint> = (
  input: { params: Parsed<E, 'params'>; query: Parsed<E, 'query'>; body: Parsed<E, 'body'> },
  req: FastifyRequest,
  reply: FastifyReply,
) => Promise<EndpointOutput<E>> | EndpointOutput<E>;

const noContent = z.null().describe('No content');
const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { session: [] }];

export interface RouteOptions<E extends Endpoint> {
  /** The success body as CSV, sent instead of JSON when the request's Accept names text/csv. */
  csv?: (output: EndpointOutput<E>) => string;
}

const wantsCsv = (req: FastifyRequest) => /(^|[\s,])text\/csv\b/i.test(req.headers.accept ?? '');

/**
 * Registers the route of one endpoint of packages/api: its schemas drive validation, serialization
 * and the OpenAPI document; its `auth` tells plugins/auth-context whether credentials are needed, and
 * its shown-once fields tell plugins/idempotency what never to store.
 */
export function route<E extends Endpoint>(app: FastifyInstance, endpoint: E, handler: Handler<E>, config: FastifyContextConfig = {}, options: RouteOptions<E> = {}): void {
  // The endpoint table tells the SDK which operations answer CSV: the routes must agree with it.
  if (Boolean(endpoint.csv) !== Boolean(options.csv)) throw new Error(`${endpoint.operationId}: the endpoint table and the route disagree on CSV`);
  app.withTypeProvider<ZodTypeProvider>().route({
    method: endpoint.method,
    url: endpoint.path,
    config: { ...config, auth: endpoint.auth, shownOnce: shownOnceFields(endpoint.response) },
    schema: {
      operationId: endpoint.operationId,
      summary: endpoint.summary,
      tags: [endpoint.tag],
      ...(endpoint.auth === 'required' ? { security } : { security: [] }),
      ...(endpoint.params ? { params: endpoint.params } : {}),
      ...(endpoint.query ? { querystring: endpoint.query } : {}),
      ...(endpoint.body ? { body: endpoint.body } : {}),
      ...(endpoint.produces ? { produces: [endpoint.produces] } : {}),
      response: {
        [endpoint.status]: endpoint.response ?? noContent,
        '4XX': Problem,
        '5XX': Problem,
      },
    },
    async handler(req, reply) {
      const input = { params: req.params, query: req.query, body: req.body } as Parameters<Handler<E>>[0];
      const output = await handler(input, req, reply);
      reply.code(endpoint.status);
      // A non-JSON string body goes out as it is: fastify serializes JSON content types only.
      if (endpoint.produces) reply.type(endpoint.produces);
      if (options.csv && wantsCsv(req)) return reply.type('text/csv; charset=utf-8').send(options.csv(output));
      return endpoint.status === 204 ? reply.send() : output;
    },
  });
}

/** Aborts when the client goes away before its answer is sent, so a long poll stops waiting. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
