import { OrchestratorError } from '../errors.ts';

export interface RetryPolicy {
  /** Calls made before giving up on a throttled operation, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 8_000 };

export interface BackoffClock {
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter that keeps many reconcilers from retrying in step. */
  random: () => number;
}

// ECS answers a request-rate overrun with ThrottlingException; the other names are what the
// shared AWS retry strategy also treats as throttling.
const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
]);

interface AwsErrorShape {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function isThrottling(err: unknown): boolean {
  const e = err as AwsErrorShape;
  return THROTTLING_ERRORS.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 429;
}

/** The AWS error name behind an orchestrator error (or the error itself), e.g. `ServiceNotFoundException`. */
export function awsErrorName(err: unknown): string | undefined {
  const inner = err instanceof OrchestratorError ? err.cause : err;
  return (inner as AwsErrorShape | undefined)?.name;
}

/** Full-jitter exponential backoff: attempt 1 waits up to base, attempt 2 up to 2x base, capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling * random());
}

/**
 * Runs one ECS call, retrying it while ECS throttles (bounded by the policy), and turns every other
 * failure into an OrchestratorError the reconciler can act on: retriable for server faults and
 * network trouble, not retriable for requests ECS refuses.
 */
export async function callEcs<T>(
  operation: string,
  call: () => Promise<T>,
  policy: RetryPolicy,
  clock: BackoffClock,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isThrottling(err)) throw translate(operation, err);
      if (attempt >= policy.maxAttempts) {
        throw new OrchestratorError('FJ_ORCH_ECS_THROTTLED', [operation, attempt, messageOf(err)], { cause: err });
      }
      await clock.sleep(backoffDelay(attempt, policy, clock.random));
    }
  }
}

function translate(operation: string, err: unknown): OrchestratorError {
  if (err instanceof OrchestratorError) return err;
  const e = err as AwsErrorShape;
  if (e?.$fault === 'client') {
    return new OrchestratorError('FJ_ORCH_ECS_REJECTED', [operation, e.name, messageOf(err)], { cause: err });
  }
  // Server faults and errors without an AWS fault (DNS, sockets, credentials lookups) may pass.
  return new OrchestratorError('FJ_ORCH_ECS_UNAVAILABLE', [operation, `${e?.name ?? 'Error'}: ${messageOf(err)}`], {
    cause: err,
  });
}

function messageOf(err: unknown): string {
  return (err as AwsErrorShape)?.message || String(err);
}
