export type {
  BrokerSpec,
  BrokerState,
  BrokerStopped,
  BrokerStatus,
  Orchestrator,
  StopOptions,
} from './orchestrator.ts';
export { OrchestratorError, orchestratorErrors, type OrchestratorErrorCode } from './errors.ts';
export { EcsOrchestrator, type EcsOrchestratorOptions } from './ecs/ecs-orchestrator.ts';
export type { EcsOrchestratorConfig } from './ecs/ecs-resources.ts';
export type { RetryPolicy } from './ecs/ecs-calls.ts';
export { LocalOrchestrator, type LocalOrchestratorConfig } from './local/local-orchestrator.ts';
export { defaultBrokerCommand } from './local/broker-command.ts';
export { findFreePort } from './local/free-port.ts';
export { createOrchestrator, orchestratorConfigFromEnv, type OrchestratorConfig } from './create-orchestrator.ts';
