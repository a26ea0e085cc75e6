import { format } from 'node:util';

/**
 * Every error the orchestrator throws, declared once. `retriable` tells the reconciler whether the
 * same call may succeed later (keep the cluster PROVISIONING) or needs a change first (mark it FAILED
 * with `message` as the reason). Codes are never reused once shipped.
 */
export const orchestratorErrors = {
  // Input
  FJ_ORCH_INVALID_SPEC: { message: 'Invalid broker spec: %s', retriable: false },
  FJ_ORCH_INVALID_CONFIG: { message: 'Invalid orchestrator configuration: %s', retriable: false },

  // Local processes
  FJ_ORCH_BROKER_EXITED: { message: 'Broker %s exited while starting (%s): %s', retriable: false },
  FJ_ORCH_BROKER_START_TIMEOUT: { message: 'Broker %s did not start listening within %d ms: %s', retriable: true },
  FJ_ORCH_BROKER_SPAWN_FAILED: { message: 'Broker %s could not be spawned: %s', retriable: false },
  FJ_ORCH_BROKER_STOP_FAILED: { message: 'Broker %s (pid %d) is still running after SIGKILL', retriable: true },
  FJ_ORCH_STOPPED: { message: 'Broker %s was not started: the orchestrator stopped its brokers for shutdown', retriable: true },

  // AWS ECS
  FJ_ORCH_ECS_THROTTLED: { message: 'ECS throttled %s %d times in a row: %s', retriable: true },
  FJ_ORCH_ECS_UNAVAILABLE: { message: 'ECS could not serve %s: %s', retriable: true },
  FJ_ORCH_ECS_REJECTED: { message: 'ECS rejected %s (%s): %s', retriable: false },
  FJ_ORCH_ECS_SERVICE_DRAINING: { message: 'ECS service %s is still draining from an earlier delete', retriable: true },
} as const;

export type OrchestratorErrorCode = keyof typeof orchestratorErrors;

export class OrchestratorError extends Error {
  override readonly name = 'OrchestratorError';
  readonly code: OrchestratorErrorCode;
  readonly retriable: boolean;

  constructor(code: OrchestratorErrorCode, args: unknown[], options?: { cause?: unknown }) {
    const entry = orchestratorErrors[code];
    super(format(entry.message, ...args), options);
    this.code = code;
    this.retriable = entry.retriable;
  }
}

export function orchestratorError(code: OrchestratorErrorCode, ...args: unknown[]): OrchestratorError {
  return new OrchestratorError(code, args);
}
