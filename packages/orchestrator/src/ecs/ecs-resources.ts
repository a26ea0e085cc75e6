import type {
  CreateServiceCommandInput,
  RegisterTaskDefinitionCommandInput,
  Tag,
} from '@aws-sdk/client-ecs';
import { BROKER_CONFIG_ENV, BROKER_SECRETS_ENV, type BrokerConfigInput } from '@fjord/broker-contract';
import type { BrokerSpec } from '../orchestrator.ts';
import type { BrokerRoleConfig } from './broker-roles.ts';

/** What the ECS backend needs to know about the account it deploys into. */
export interface EcsOrchestratorConfig {
  kind: 'ecs';
  cluster: string;
  subnets: string[];
  securityGroups: string[];
  image: string;
  taskRoleArn: string;
  executionRoleArn: string;
  region: string;
  logGroup?: string;
  assignPublicIp?: boolean;
  /** Fargate task size; defaults 1 vCPU and 2 GiB. */
  cpu?: string;
  memory?: string;
  /** More environment for the broker container, e.g. the object store settings it shares with the control plane. */
  environment?: Record<string, string>;
  /** Where the broker keeps its logs inside the task. */
  brokerDataDir?: string;
  /** A broker not running for this long after its last deployment gets a fresh deployment. */
  stuckAfterMs?: number;
  /** Name prefix of the per-cluster Secrets Manager secrets holding brokers' secrets; default `fjord/brokers/`. */
  secretPrefix?: string;
  /** A task role per cluster limited to its segments; without it every broker runs as `taskRoleArn`. */
  brokerRoles?: BrokerRoleConfig;
}

/** What a broker's task definition gets from resources made for its cluster. */
export interface ClusterResources {
  /** The secret ECS resolves into BROKER_SECRETS_ENV when the task starts. */
  secretsArn?: string;
  /** The cluster's own task role, in place of the shared `taskRoleArn`. */
  taskRoleArn?: string;
}

export const BROKER_CONTAINER = 'broker';
export const BROKER_CONTAINER_PORT = 9092;
export const SERVICE_PREFIX = 'fjord-';

export const TAG_MANAGED_BY = 'fjord:managed-by';
export const TAG_CLUSTER_ID = 'fjord:cluster-id';
export const TAG_NODE_ID = 'fjord:node-id';
export const TAG_CONFIG_HASH = 'fjord:config-hash';

export function familyName(clusterId: string): string {
  return `fjord-broker-${clusterId}`;
}

export function serviceName(clusterId: string, nodeId: number): string {
  return `${SERVICE_PREFIX}${clusterId}-${nodeId}`;
}

export function brokerTags(clusterId: string, nodeId: number, hash: string): Tag[] {
  return [
    { key: TAG_MANAGED_BY, value: 'fjord' },
    { key: TAG_CLUSTER_ID, value: clusterId },
    { key: TAG_NODE_ID, value: String(nodeId) },
    { key: TAG_CONFIG_HASH, value: hash },
  ];
}

/**
 * The broker's config inside a task: it listens on the container port of its own network interface
 * and advertises the address clients bootstrap from (spec.host:spec.port, e.g. a load balancer name).
 */
export function ecsBrokerConfig(cfg: EcsOrchestratorConfig, spec: BrokerSpec): BrokerConfigInput {
  return {
    ...spec.config,
    clusterId: spec.clusterId,
    nodeId: spec.nodeId,
    listen: { host: '0.0.0.0', port: BROKER_CONTAINER_PORT },
    advertised: spec.config.advertised ?? { host: spec.host, port: spec.port },
    dataDir: cfg.brokerDataDir ?? '/var/lib/fjord/broker',
  };
}

/**
 * The broker's task definition. `config` is what may be read by anyone who can describe task
 * definitions, so it holds no secret: the token and the TLS key come from the cluster's secret.
 */
export function taskDefinitionInput(
  cfg: EcsOrchestratorConfig,
  spec: BrokerSpec,
  config: BrokerConfigInput,
  hash: string,
  { secretsArn, taskRoleArn }: ClusterResources,
): RegisterTaskDefinitionCommandInput {
  return {
    family: familyName(spec.clusterId),
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: cfg.cpu ?? '1024',
    memory: cfg.memory ?? '2048',
    taskRoleArn: taskRoleArn ?? cfg.taskRoleArn,
    executionRoleArn: cfg.executionRoleArn,
    containerDefinitions: [
      {
        name: BROKER_CONTAINER,
        image: cfg.image,
        essential: true,
        portMappings: [{ name: 'kafka', containerPort: BROKER_CONTAINER_PORT, protocol: 'tcp' }],
        environment: [
          ...Object.entries(cfg.environment ?? {}).map(([name, value]) => ({ name, value })),
          { name: BROKER_CONFIG_ENV, value: JSON.stringify(config) },
        ],
        secrets: secretsArn ? [{ name: BROKER_SECRETS_ENV, valueFrom: secretsArn }] : undefined,
        // The broker flushes and closes its segments on SIGTERM; give it time before SIGKILL. An init
        // process as PID 1 forwards that SIGTERM to node.
        stopTimeout: 30,
        linuxParameters: { initProcessEnabled: true },
        logConfiguration: cfg.logGroup
          ? {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': cfg.logGroup,
                'awslogs-region': cfg.region,
                'awslogs-stream-prefix': `${spec.clusterId}-${spec.nodeId}`,
              },
            }
          : undefined,
      },
    ],
    tags: brokerTags(spec.clusterId, spec.nodeId, hash),
  };
}

export function createServiceInput(
  cfg: EcsOrchestratorConfig,
  spec: BrokerSpec,
  taskDefinitionArn: string,
  hash: string,
): CreateServiceCommandInput {
  return {
    cluster: cfg.cluster,
    serviceName: serviceName(spec.clusterId, spec.nodeId),
    taskDefinition: taskDefinitionArn,
    desiredCount: 1,
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: cfg.subnets,
        securityGroups: cfg.securityGroups,
        assignPublicIp: cfg.assignPublicIp ? 'ENABLED' : 'DISABLED',
      },
    },
    // A broker owns its partition logs, so two copies must never run at once: a deployment stops
    // the old task before starting the new one. The circuit breaker turns a crash loop into a
    // FAILED rollout that health() reports.
    deploymentConfiguration: {
      minimumHealthyPercent: 0,
      maximumPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: false },
    },
    enableECSManagedTags: true,
    propagateTags: 'SERVICE',
    tags: brokerTags(spec.clusterId, spec.nodeId, hash),
  };
}
