import { Problem, problems } from '@fjord/api';

/** An answer of the API that is not a success, carrying its RFC 9457 problem details. */
export class FjordApiError extends Error {
  override name = 'FjordApiError';
  readonly status: number;
  readonly type: string;
  readonly code: string;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.title}: ${problem.detail}`);
    this.problem = problem;
    this.status = problem.status;
    this.type = problem.type;
    this.code = problem.code;
  }

  /** Field errors of a validation problem. */
  get errors() {
    return this.problem.errors ?? [];
  }
}

export class ValidationError extends FjordApiError {
  override name = 'ValidationError';
}
export class UnauthorizedError extends FjordApiError {
  override name = 'UnauthorizedError';
}
export class ForbiddenError extends FjordApiError {
  override name = 'ForbiddenError';
}
export class NotFoundError extends FjordApiError {
  override name = 'NotFoundError';
}
export class ConflictError extends FjordApiError {
  override name = 'ConflictError';
}
export class IdempotencyKeyReusedError extends FjordApiError {
  override name = 'IdempotencyKeyReusedError';
}
export class QuotaExceededError extends FjordApiError {
  override name = 'QuotaExceededError';
}
export class RateLimitedError extends FjordApiError {
  override name = 'RateLimitedError';
}

type ErrorClass = new (problem: Problem) => FjordApiError;

/** Problem `type` URI -> error class; types not listed (new ones included) give a plain FjordApiError. */
const classes = new Map<string, ErrorClass>([
  [problems.FJ_VALIDATION.type, ValidationError],
  [problems.FJ_MALFORMED_BODY.type, ValidationError],
  [problems.FJ_UNAUTHORIZED.type, UnauthorizedError],
  [problems.FJ_INVALID_CREDENTIALS.type, UnauthorizedError],
  [problems.FJ_FORBIDDEN.type, ForbiddenError],
  [problems.FJ_NOT_FOUND.type, NotFoundError],
  [problems.FJ_CONFLICT.type, ConflictError],
  [problems.FJ_EMAIL_TAKEN.type, ConflictError],
  [problems.FJ_LAST_OWNER.type, ConflictError],
  [problems.FJ_IDEMPOTENCY_IN_PROGRESS.type, ConflictError],
  [problems.FJ_IDEMPOTENCY_KEY_REUSED.type, IdempotencyKeyReusedError],
  [problems.FJ_QUOTA_EXCEEDED.type, QuotaExceededError],
  [problems.FJ_RATE_LIMITED.type, RateLimitedError],
]);

export function errorFromProblem(problem: Problem): FjordApiError {
  const ErrorClass = classes.get(problem.type) ?? FjordApiError;
  return new ErrorClass(problem);
}

/** An answer that is not problem details at all (a proxy's error page, say). */
export function errorFromResponse(status: number, url: string, text: string): FjordApiError {
  const parsed = Problem.safeParse(safeJson(text));
  if (parsed.success) return errorFromProblem(parsed.data);
  return new FjordApiError({
    type: 'about:blank',
    title: `HTTP ${status}`,
    status,
    detail: text.slice(0, 200) || `HTTP ${status}`,
    instance: url,
    code: 'FJ_UNEXPECTED_RESPONSE',
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
