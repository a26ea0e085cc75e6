import { problemContentType, problems, type FieldError, type Problem, type ProblemDefinition } from '@fjord/api';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiProblem } from '../errors.ts';
import { isConsolePage, sendConsolePage } from './console.ts';

/** The RFC 9457 body of one catalogue entry. */
export function problemBody(definition: ProblemDefinition, detail: string, instance: string, requestId?: string, errors?: FieldError[]): Problem {
  return {
    type: definition.type,
    title: definition.title,
    status: definition.status,
    detail,
    instance,
    code: definition.code,
    ...(requestId ? { requestId } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, definition: ProblemDefinition, detail: string, errors?: FieldError[]) {
  const body = problemBody(definition, detail, req.url.split('?')[0], req.id, errors);
  return reply.code(definition.status).type(problemContentType).send(body);
}

type Issue = { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> };

/** Zod issues -> `{field, message}`, naming unknown keys one by one. */
function fieldErrors(issues: Issue[], context: string | undefined): FieldError[] {
  const where = context === 'body' || context === undefined ? '' : `${context === 'querystring' ? 'query' : context}.`;
  return issues.flatMap((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params.keys)) {
      return (issue.params.keys as string[]).map((key) => ({ field: `${where}${path ? `${path}.` : ''}${key}`, message: 'Unknown field' }));
    }
    return [{ field: path ? `${where}${path}` : context === 'body' || !context ? 'body' : context, message: issue.message ?? issue.keyword }];
  });
}

/** fastify's own client errors, by code, to catalogue entries. */
const fastifyCodes: Record<string, ProblemDefinition> = {
  FST_ERR_CTP_BODY_TOO_LARGE: problems.FJ_PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: problems.FJ_UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: problems.FJ_MALFORMED_BODY,
  FST_ERR_CTP_INVALID_JSON_BODY: problems.FJ_MALFORMED_BODY,
};

const byStatus = new Map<number, ProblemDefinition>([
  [400, problems.FJ_BAD_REQUEST],
  [401, problems.FJ_UNAUTHORIZED],
  [403, problems.FJ_FORBIDDEN],
  [404, problems.FJ_NOT_FOUND],
  [408, problems.FJ_REQUEST_TIMEOUT],
  [409, problems.FJ_CONFLICT],
  [413, problems.FJ_PAYLOAD_TOO_LARGE],
  [414, problems.FJ_URI_TOO_LONG],
  [415, problems.FJ_UNSUPPORTED_MEDIA_TYPE],
  [429, problems.FJ_RATE_LIMITED],
  [431, problems.FJ_HEADERS_TOO_LARGE],
]);

/**
 * Prisma's codes for a database that is busy or out of reach: no transaction slot within maxWait
 * (P2028; PGlite runs one transaction at a time), no pooled connection (P2024), no server (P1001).
 * The request did nothing, so the client may simply retry.
 */
const databaseBusyCodes = new Set(['P2028', 'P2024', 'P1001']);

/**
 * Every error leaves as RFC 9457 problem details; only our own faults are 5xx. A browser navigating
 * to a path no route has gets the console's page instead (when one is built), which routes in the page.
 */
export const problemDetails = fp<{ consolePage?: Buffer }>(
  async (app, { consolePage }) => {
    app.setNotFoundHandler((req, reply) => {
      if (consolePage && isConsolePage(req)) return sendConsolePage(reply, consolePage);
      return sendProblem(req, reply, problems.FJ_NOT_FOUND, `no route for ${req.method} ${req.url.split('?')[0]}`);
    });

    app.setErrorHandler((err: FastifyError | ApiProblem, req, reply) => {
      if (err instanceof ApiProblem) return sendProblem(req, reply, err.definition, err.message, err.errors);
      if (hasZodFastifySchemaValidationErrors(err)) {
        const errors = fieldErrors(err.validation as unknown as Issue[], err.validationContext);
        return sendProblem(req, reply, problems.FJ_VALIDATION, `invalid ${errors.map((e) => e.field).join(', ')}`, errors);
      }
      const known = err.code ? fastifyCodes[err.code] : undefined;
      if (known) {
        const errors = known === problems.FJ_MALFORMED_BODY ? [{ field: 'body', message: err.message }] : undefined;
        return sendProblem(req, reply, known, err.message, errors);
      }
      if (err.code && databaseBusyCodes.has(err.code)) {
        req.log.warn({ err }, 'database busy');
        reply.header('retry-after', '1');
        return sendProblem(req, reply, problems.FJ_UNAVAILABLE, 'the service is busy; nothing was changed, try again');
      }
      const status = err.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return sendProblem(req, reply, byStatus.get(status) ?? problems.FJ_BAD_REQUEST, err.message);
      }
      req.log.error({ err }, 'request failed');
      return sendProblem(req, reply, problems.FJ_INTERNAL, 'an internal error occurred; quote the request id when reporting it');
    });
  },
  { name: 'fjord-problem-details' },
);
