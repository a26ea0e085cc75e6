import { EcsOrchestrator, type EcsOrchestratorOptions } from './ecs/ecs-orchestrator.ts';
import type { EcsOrchestratorConfig } from './ecs/ecs-resources.ts';
import { orchestratorError } from './errors.ts';
import { LocalOrchestrator, type LocalOrchestratorConfig } from './local/local-orchestrator.ts';
import type { Orchestrator } from './orchestrator.ts';

export type OrchestratorConfig = LocalOrchestratorConfig | EcsOrchestratorConfig;

export function createOrchestrator(cfg: OrchestratorConfig, ecsOptions?: EcsOrchestratorOptions): Orchestrator {
  switch (cfg.kind) {
    case 'local':
      return new LocalOrchestrator(cfg);
    case 'ecs':
      return new EcsOrchestrator(cfg, ecsOptions);
    default:
      throw orchestratorError('FJ_ORCH_INVALID_CONFIG', `unknown orchestrator kind ${JSON.stringify((cfg as { kind: unknown }).kind)}`);
  }
}

// Settings the broker tasks share with the control plane, passed on to their containers.
const BROKER_ENVIRONMENT = ['NODE_ENV', 'FJORD_OBJECT_STORE', 'FJORD_S3_BUCKET', 'FJORD_S3_REGION', 'FJORD_S3_PREFIX'];

/**
 * The orchestrator configuration from the environment: local processes under `dataDir` unless
 * `FJORD_ORCHESTRATOR=ecs`, which then needs the FJORD_ECS_* settings.
 */
export function orchestratorConfigFromEnv(env: NodeJS.ProcessEnv, dataDir: string): OrchestratorConfig {
  const kind = env.FJORD_ORCHESTRATOR ?? 'local';
  if (kind === 'local') return { kind: 'local', dataDir };
  if (kind !== 'ecs') {
    throw orchestratorError('FJ_ORCH_INVALID_CONFIG', `FJORD_ORCHESTRATOR must be "local" or "ecs", not ${JSON.stringify(kind)}`);
  }
  const required = {
    cluster: 'FJORD_ECS_CLUSTER',
    subnets: 'FJORD_ECS_SUBNETS',
    securityGroups: 'FJORD_ECS_SECURITY_GROUPS',
    image: 'FJORD_ECS_BROKER_IMAGE',
    taskRoleArn: 'FJORD_ECS_TASK_ROLE_ARN',
    executionRoleArn: 'FJORD_ECS_EXECUTION_ROLE_ARN',
  } as const;
  const missing: string[] = Object.values(required).filter((name) => !env[name]);
  const region = env.FJORD_ECS_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) missing.push('FJORD_ECS_REGION (or AWS_REGION)');
  if (missing.length > 0) throw orchestratorError('FJ_ORCH_INVALID_CONFIG', `FJORD_ORCHESTRATOR=ecs needs ${missing.join(', ')}`);
  const list = (name: string) => env[name]!.split(',').map((s) => s.trim()).filter(Boolean);
  const environment = Object.fromEntries(
    BROKER_ENVIRONMENT.filter((name) => env[name]).map((name) => [name, env[name]!]),
  );
  return {
    kind: 'ecs',
    cluster: env[required.cluster]!,
    subnets: list(required.subnets),
    securityGroups: list(required.securityGroups),
    image: env[required.image]!,
    taskRoleArn: env[required.taskRoleArn]!,
    executionRoleArn: env[required.executionRoleArn]!,
    region: region!,
    logGroup: env.FJORD_ECS_LOG_GROUP || undefined,
    assignPublicIp: env.FJORD_ECS_ASSIGN_PUBLIC_IP === 'true',
    cpu: env.FJORD_ECS_BROKER_CPU || undefined,
    memory: env.FJORD_ECS_BROKER_MEMORY || undefined,
    secretPrefix: env.FJORD_ECS_SECRET_PREFIX || undefined,
    brokerRoles: brokerRolesFromEnv(env),
    environment,
  };
}

/** Per-cluster broker roles when the deployment names their boundary (the CDK app does), with the segment bucket they are limited to. */
function brokerRolesFromEnv(env: NodeJS.ProcessEnv): EcsOrchestratorConfig['brokerRoles'] {
  const permissionsBoundaryArn = env.FJORD_ECS_BROKER_ROLE_BOUNDARY_ARN;
  if (!permissionsBoundaryArn) return undefined;
  const missing = ['FJORD_ECS_BROKER_ROLE_PATH', 'FJORD_S3_BUCKET', 'FJORD_S3_PREFIX'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw orchestratorError('FJ_ORCH_INVALID_CONFIG', `FJORD_ECS_BROKER_ROLE_BOUNDARY_ARN needs ${missing.join(', ')}`);
  }
  return {
    permissionsBoundaryArn,
    path: env.FJORD_ECS_BROKER_ROLE_PATH!,
    bucket: env.FJORD_S3_BUCKET!,
    segmentPrefix: env.FJORD_S3_PREFIX!,
  };
}
