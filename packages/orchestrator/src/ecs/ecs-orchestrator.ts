import { setTimeout as delay } from 'node:timers/promises';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { separateBrokerSecrets } from '@fjord/broker-contract';
import { orchestratorError } from '../errors.ts';
import type { BrokerSpec, BrokerStatus, Orchestrator, StopOptions } from '../orchestrator.ts';
import { assertBrokerRef, assertBrokerSpec, configHash } from '../spec.ts';
import { BrokerRoles } from './broker-roles.ts';
import { BrokerSecrets, DEFAULT_SECRET_PREFIX } from './broker-secrets.ts';
import { awsErrorName, callEcs, defaultRetryPolicy, type BackoffClock, type RetryPolicy } from './ecs-calls.ts';
import {
  createServiceInput,
  ecsBrokerConfig,
  serviceName,
  SERVICE_PREFIX,
  TAG_CONFIG_HASH,
  taskDefinitionInput,
  type EcsOrchestratorConfig,
} from './ecs-resources.ts';
import { listedStatus, statusFromEcs } from './ecs-status.ts';

export interface EcsOrchestratorOptions {
  client?: ECSClient;
  secretsClient?: SecretsManagerClient;
  iamClient?: IAMClient;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const DEFAULT_STUCK_AFTER_MS = 5 * 60_000;
// DescribeServices takes at most 10 services per call.
const DESCRIBE_SERVICES_BATCH = 10;

/**
 * Runs each broker as an ECS service of one task: a task definition family per cluster
 * (`fjord-broker-<clusterId>`, one revision per broker config) and a service per broker
 * (`fjord-<clusterId>-<nodeId>`), tagged so list() can tell Fjord's services from others.
 */
export class EcsOrchestrator implements Orchestrator {
  readonly #cfg: EcsOrchestratorConfig;
  readonly #client: ECSClient;
  readonly #ownsClient: boolean;
  readonly #secretsClient: SecretsManagerClient;
  readonly #ownsSecretsClient: boolean;
  readonly #secrets: BrokerSecrets;
  readonly #iamClient: IAMClient | undefined;
  readonly #ownsIamClient: boolean;
  readonly #roles: BrokerRoles | undefined;
  readonly #retry: RetryPolicy;
  readonly #clock: BackoffClock;
  readonly #now: () => number;

  constructor(cfg: EcsOrchestratorConfig, options: EcsOrchestratorOptions = {}) {
    assertEcsConfig(cfg);
    this.#cfg = cfg;
    // The SDK's own retries are switched off so that one bounded policy (ours) decides.
    this.#client = options.client ?? new ECSClient({ region: cfg.region, maxAttempts: 1 });
    this.#ownsClient = !options.client;
    this.#retry = { ...defaultRetryPolicy, ...options.retry };
    this.#clock = { sleep: options.sleep ?? ((ms) => delay(ms)), random: options.random ?? Math.random };
    this.#now = options.now ?? Date.now;
    this.#secretsClient = options.secretsClient ?? new SecretsManagerClient({ region: cfg.region, maxAttempts: 1 });
    this.#ownsSecretsClient = !options.secretsClient;
    this.#secrets = new BrokerSecrets(this.#secretsClient, cfg.secretPrefix ?? DEFAULT_SECRET_PREFIX, this.#retry, this.#clock);
    this.#ownsIamClient = !options.iamClient && cfg.brokerRoles !== undefined;
    // IAM is a global service: its client needs no region of ours.
    this.#iamClient = options.iamClient ?? (cfg.brokerRoles ? new IAMClient({ region: cfg.region, maxAttempts: 1 }) : undefined);
    this.#roles = cfg.brokerRoles && this.#iamClient ? new BrokerRoles(this.#iamClient, cfg.brokerRoles, this.#retry, this.#clock) : undefined;
  }

  async ensureBroker(spec: BrokerSpec): Promise<BrokerStatus> {
    assertBrokerSpec(spec);
    const name = serviceName(spec.clusterId, spec.nodeId);
    const config = ecsBrokerConfig(this.#cfg, spec);
    const hash = configHash(config);
    const service = await this.#describeService(name);

    if (service?.status === 'DRAINING') throw orchestratorError('FJ_ORCH_ECS_SERVICE_DRAINING', name);

    if (!service || service.status === 'INACTIVE') {
      const taskDefinition = await this.#registerTaskDefinition(spec, hash);
      try {
        await this.#call('CreateService', () =>
          this.#client.send(new CreateServiceCommand(createServiceInput(this.#cfg, spec, taskDefinition, hash))),
        );
      } catch (err) {
        await this.#deregister(taskDefinition).catch(() => {});
        throw err;
      }
      return { clusterId: spec.clusterId, nodeId: spec.nodeId, state: 'starting', reason: 'ECS service created' };
    }

    if (tagValue(service, TAG_CONFIG_HASH) !== hash) {
      const taskDefinition = await this.#registerTaskDefinition(spec, hash);
      await this.#updateService(name, { taskDefinition, desiredCount: 1, forceNewDeployment: true });
      await this.#call('TagResource', () =>
        this.#client.send(
          new TagResourceCommand({ resourceArn: service.serviceArn, tags: [{ key: TAG_CONFIG_HASH, value: hash }] }),
        ),
      );
      if (service.taskDefinition && service.taskDefinition !== taskDefinition) {
        await this.#deregister(service.taskDefinition);
      }
      return { clusterId: spec.clusterId, nodeId: spec.nodeId, state: 'starting', reason: 'broker config changed' };
    }

    if (service.desiredCount !== 1) {
      await this.#updateService(name, { desiredCount: 1 });
      return { clusterId: spec.clusterId, nodeId: spec.nodeId, state: 'starting', reason: 'desired count restored' };
    }

    const status = statusFromEcs(spec.clusterId, spec.nodeId, service, await this.#tasksOf(name));
    if (status.state !== 'running' && this.#stuck(service)) {
      await this.#updateService(name, { forceNewDeployment: true });
      return { ...status, state: 'starting', reason: `redeployed after ${status.reason ?? 'no running task'}` };
    }
    return status;
  }

  async stopBroker(clusterId: string, nodeId: number, opts: StopOptions = {}): Promise<void> {
    assertBrokerRef(clusterId, nodeId);
    await this.#stopService(clusterId, nodeId);
    // The cluster goes: its token and role go with it. A mere stop keeps them for the next start.
    if (!opts.deleteData) return;
    await this.#secrets.delete(clusterId);
    await this.#roles?.delete(clusterId);
  }

  async #stopService(clusterId: string, nodeId: number): Promise<void> {
    const name = serviceName(clusterId, nodeId);
    const service = await this.#describeService(name);
    if (!service || service.status === 'INACTIVE') return;

    if (service.status === 'ACTIVE') {
      // Scaling to zero first lets the broker stop on SIGTERM before the service goes away.
      if (service.desiredCount !== 0) await this.#ignoreGone(this.#updateService(name, { desiredCount: 0 }));
      await this.#ignoreGone(
        this.#call('DeleteService', () =>
          this.#client.send(new DeleteServiceCommand({ cluster: this.#cfg.cluster, service: name, force: true })),
        ),
      );
    }
    if (service.taskDefinition) await this.#deregister(service.taskDefinition);
  }

  async list(): Promise<BrokerStatus[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#call('ListServices', () =>
        this.#client.send(new ListServicesCommand({ cluster: this.#cfg.cluster, maxResults: 100, nextToken })),
      );
      for (const arn of page.serviceArns ?? []) {
        if (arn.slice(arn.lastIndexOf('/') + 1).startsWith(SERVICE_PREFIX)) arns.push(arn);
      }
      nextToken = page.nextToken;
    } while (nextToken);

    const statuses: BrokerStatus[] = [];
    for (let i = 0; i < arns.length; i += DESCRIBE_SERVICES_BATCH) {
      const services = await this.#describeServices(arns.slice(i, i + DESCRIBE_SERVICES_BATCH));
      for (const service of services) {
        const status = listedStatus(service);
        if (status) statuses.push(status);
      }
    }
    return statuses;
  }

  async health(clusterId: string, nodeId: number): Promise<BrokerStatus> {
    assertBrokerRef(clusterId, nodeId);
    const name = serviceName(clusterId, nodeId);
    const service = await this.#describeService(name);
    if (!service || service.status !== 'ACTIVE') return statusFromEcs(clusterId, nodeId, service, []);
    return statusFromEcs(clusterId, nodeId, service, await this.#tasksOf(name));
  }

  async close(): Promise<void> {
    if (this.#ownsClient) this.#client.destroy();
    if (this.#ownsSecretsClient) this.#secretsClient.destroy();
    if (this.#ownsIamClient) this.#iamClient?.destroy();
  }

  #call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return callEcs(operation, call, this.#retry, this.#clock);
  }

  async #describeService(name: string): Promise<Service | undefined> {
    const [service] = await this.#describeServices([name]);
    return service;
  }

  async #describeServices(services: string[]): Promise<Service[]> {
    // A service that does not exist comes back in `failures` (reason MISSING), not as an error.
    const out = await this.#call('DescribeServices', () =>
      this.#client.send(new DescribeServicesCommand({ cluster: this.#cfg.cluster, services, include: ['TAGS'] })),
    );
    return out.services ?? [];
  }

  /** The service's live tasks, or when none is live the recently stopped ones, which say why. */
  async #tasksOf(name: string): Promise<Task[]> {
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      const listed = await this.#call('ListTasks', () =>
        this.#client.send(new ListTasksCommand({ cluster: this.#cfg.cluster, serviceName: name, desiredStatus })),
      );
      const taskArns = listed.taskArns ?? [];
      if (taskArns.length === 0) continue;
      const described = await this.#call('DescribeTasks', () =>
        this.#client.send(new DescribeTasksCommand({ cluster: this.#cfg.cluster, tasks: taskArns })),
      );
      return described.tasks ?? [];
    }
    return [];
  }

  async #registerTaskDefinition(spec: BrokerSpec, hash: string): Promise<string> {
    const { config, secrets } = separateBrokerSecrets(ecsBrokerConfig(this.#cfg, spec));
    const secretsArn = secrets === undefined ? undefined : await this.#secrets.put(spec.clusterId, JSON.stringify(secrets));
    const taskRoleArn = await this.#roles?.ensure(spec.clusterId);
    const input = taskDefinitionInput(this.#cfg, spec, config, hash, { secretsArn, taskRoleArn });
    const out = await this.#call('RegisterTaskDefinition', () =>
      this.#client.send(new RegisterTaskDefinitionCommand(input)),
    );
    const arn = out.taskDefinition?.taskDefinitionArn;
    if (!arn) {
      throw orchestratorError('FJ_ORCH_ECS_UNAVAILABLE', 'RegisterTaskDefinition', 'no task definition ARN in the answer');
    }
    return arn;
  }

  async #updateService(
    name: string,
    change: { taskDefinition?: string; desiredCount?: number; forceNewDeployment?: boolean },
  ): Promise<void> {
    await this.#call('UpdateService', () =>
      this.#client.send(new UpdateServiceCommand({ cluster: this.#cfg.cluster, service: name, ...change })),
    );
  }

  async #deregister(taskDefinition: string): Promise<void> {
    try {
      await this.#call('DeregisterTaskDefinition', () =>
        this.#client.send(new DeregisterTaskDefinitionCommand({ taskDefinition })),
      );
    } catch (err) {
      // A revision deregistered by an earlier, interrupted stop is already where we want it.
      if (awsErrorName(err) === 'ClientException' && /inactive/i.test(String((err as Error).message))) return;
      throw err;
    }
  }

  /** A service deleted between our describe and our change needs no change. */
  async #ignoreGone(call: Promise<unknown>): Promise<void> {
    try {
      await call;
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'ServiceNotFoundException' || name === 'ServiceNotActiveException') return;
      throw err;
    }
  }

  #stuck(service: Service): boolean {
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    const since = primary?.updatedAt ?? primary?.createdAt ?? service.createdAt;
    if (!since) return false;
    return this.#now() - since.getTime() >= (this.#cfg.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS);
  }
}

function tagValue(service: Service, key: string): string | undefined {
  return service.tags?.find((t) => t.key === key)?.value;
}

function assertEcsConfig(cfg: EcsOrchestratorConfig): void {
  const missing: string[] = [];
  for (const key of ['cluster', 'image', 'taskRoleArn', 'executionRoleArn', 'region'] as const) {
    if (typeof cfg[key] !== 'string' || cfg[key].length === 0) missing.push(key);
  }
  for (const key of ['subnets', 'securityGroups'] as const) {
    if (!Array.isArray(cfg[key]) || cfg[key].length === 0) missing.push(key);
  }
  if (missing.length > 0) throw orchestratorError('FJ_ORCH_INVALID_CONFIG', `ECS needs ${missing.join(', ')}`);
}
