import { OrchestratorError, type BrokerStatus, type OrchestratorErrorCode } from '@fjord/orchestrator';

/**
 * What a tenant reads about a broker problem (cluster events, `failureReason`). Orchestrator errors
 * carry the broker's log tail, host paths and cloud API messages: those go to the control-plane log
 * only. The tenant gets a generic sentence and the cluster id to quote to support, who find the
 * detail in the log under that id.
 */
const byCode: Record<OrchestratorErrorCode, string> = {
  FJ_ORCH_INVALID_SPEC: 'the broker could not be configured',
  FJ_ORCH_INVALID_CONFIG: 'the broker could not be configured',
  FJ_ORCH_BROKER_EXITED: 'the broker exited while starting',
  FJ_ORCH_BROKER_START_TIMEOUT: 'the broker did not start in time',
  FJ_ORCH_BROKER_SPAWN_FAILED: 'the broker could not be started',
  FJ_ORCH_BROKER_STOP_FAILED: 'the broker could not be stopped',
  FJ_ORCH_STOPPED: 'the control plane was shutting down',
  FJ_ORCH_ECS_THROTTLED: 'the container platform is busy',
  FJ_ORCH_ECS_UNAVAILABLE: 'the container platform is unavailable',
  FJ_ORCH_ECS_REJECTED: 'the container platform refused the broker',
  FJ_ORCH_ECS_SERVICE_DRAINING: 'an earlier broker of this cluster is still being removed',
};

/** The broker started but did not answer Kafka with the control plane's credential in time. */
export class BrokerNotAnswering extends Error {
  override readonly name = 'BrokerNotAnswering';
}

const withReference = (what: string, clusterId: string) => `${what} (support reference: cluster ${clusterId})`;

export function tenantReason(err: unknown, clusterId: string): string {
  if (err instanceof OrchestratorError) return withReference(byCode[err.code], clusterId);
  if (err instanceof BrokerNotAnswering) return withReference('the broker does not answer Kafka requests', clusterId);
  return withReference('an internal error', clusterId);
}

export function tenantBrokerState(broker: BrokerStatus | undefined, clusterId: string): string {
  return withReference(`the broker is ${broker?.state ?? 'missing'}`, clusterId);
}
