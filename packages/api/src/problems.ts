import { z } from 'zod';

/** Base of every problem `type` URI. The URIs are stable: clients switch on them. */
export const problemTypeBase = 'https://fjord.dev/problems/';

export interface ProblemDefinition {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly type: string;
}

function define(code: string, status: number, slug: string, title: string): ProblemDefinition {
  return { code, status, title, type: `${problemTypeBase}${slug}` };
}

/**
 * The error catalogue of the REST API (RFC 9457 problem details). Each entry is declared once with a
 * stable `FJ_*` code, an HTTP status, a title and a `type` URI. A shipped code or URI is never reused
 * for another meaning. The list is documented in README.md ("Errors").
 */
export const problems = {
  // Requests
  FJ_VALIDATION: define('FJ_VALIDATION', 400, 'validation', 'The request is not valid'),
  FJ_MALFORMED_BODY: define('FJ_MALFORMED_BODY', 400, 'malformed-body', 'The request body could not be parsed'),
  FJ_BAD_REQUEST: define('FJ_BAD_REQUEST', 400, 'bad-request', 'The request is not well-formed HTTP'),
  FJ_NOT_FOUND: define('FJ_NOT_FOUND', 404, 'not-found', 'The resource does not exist'),
  FJ_REQUEST_TIMEOUT: define('FJ_REQUEST_TIMEOUT', 408, 'request-timeout', 'The request did not arrive in time'),
  FJ_PAYLOAD_TOO_LARGE: define('FJ_PAYLOAD_TOO_LARGE', 413, 'payload-too-large', 'The request body is too large'),
  FJ_URI_TOO_LONG: define('FJ_URI_TOO_LONG', 414, 'uri-too-long', 'A path segment of the request is too long'),
  FJ_UNSUPPORTED_MEDIA_TYPE: define('FJ_UNSUPPORTED_MEDIA_TYPE', 415, 'unsupported-media-type', 'The request body has an unsupported content type'),
  FJ_RATE_LIMITED: define('FJ_RATE_LIMITED', 429, 'rate-limited', 'Too many requests'),
  FJ_HEADERS_TOO_LARGE: define('FJ_HEADERS_TOO_LARGE', 431, 'headers-too-large', 'The request headers are too large'),
  // Identity and access
  FJ_UNAUTHORIZED: define('FJ_UNAUTHORIZED', 401, 'unauthorized', 'Authentication is required'),
  FJ_INVALID_CREDENTIALS: define('FJ_INVALID_CREDENTIALS', 401, 'invalid-credentials', 'The email or password is wrong'),
  FJ_FORBIDDEN: define('FJ_FORBIDDEN', 403, 'forbidden', 'Your role does not allow this action'),
  // State
  FJ_CONFLICT: define('FJ_CONFLICT', 409, 'conflict', 'The request conflicts with the current state'),
  // Retired, never answered: a signup for an email that has an account answers like any signup, so
  // signup cannot be used to learn who has an account. Kept so the code and URI are never reused.
  FJ_EMAIL_TAKEN: define('FJ_EMAIL_TAKEN', 409, 'email-taken', 'An account with this email already exists'),
  FJ_LAST_OWNER: define('FJ_LAST_OWNER', 409, 'last-owner', 'An organization needs at least one owner'),
  FJ_IDEMPOTENCY_IN_PROGRESS: define('FJ_IDEMPOTENCY_IN_PROGRESS', 409, 'idempotency-in-progress', 'A request with this Idempotency-Key is still being processed'),
  FJ_IDEMPOTENCY_KEY_REUSED: define('FJ_IDEMPOTENCY_KEY_REUSED', 422, 'idempotency-key-reused', 'This Idempotency-Key was used for a different request'),
  FJ_CLUSTER_NOT_READY: define('FJ_CLUSTER_NOT_READY', 409, 'cluster-not-ready', 'The cluster is not running'),
  FJ_QUOTA_EXCEEDED: define('FJ_QUOTA_EXCEEDED', 403, 'quota-exceeded', "The organization's plan does not allow more"),
  // Server
  FJ_INTERNAL: define('FJ_INTERNAL', 500, 'internal', 'Internal server error'),
  FJ_UNAVAILABLE: define('FJ_UNAVAILABLE', 503, 'unavailable', 'The service is not ready'),
  FJ_CLUSTER_UNAVAILABLE: define('FJ_CLUSTER_UNAVAILABLE', 503, 'cluster-unavailable', 'The cluster cannot be reached right now'),
} as const satisfies Record<string, ProblemDefinition>;

export type ProblemCode = keyof typeof problems;

export const FieldError = z.object({
  field: z.string().describe('Dotted path of the offending field; `body` when the body as a whole is wrong'),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

/** RFC 9457 problem details, with Fjord's extensions `code`, `requestId` and `errors`. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    code: z.string(),
    requestId: z.string().optional(),
    errors: z.array(FieldError).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details, sent as application/problem+json' });
export type Problem = z.infer<typeof Problem>;

export const problemContentType = 'application/problem+json';
