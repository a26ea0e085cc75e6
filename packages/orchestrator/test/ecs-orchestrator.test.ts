import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EcsOrchestrator, OrchestratorError, type BrokerSpec, type EcsOrchestratorConfig, type Orchestrator } from '@fjord/orchestrator';

const ecs = mockClient(ECSClient);
// Broker tokens go to Secrets Manager (ecs-broker-secrets.test.ts tests that part).
const secretsManager = mockClient(SecretsManagerClient);
const TOKEN_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fjord/brokers/c_abc-AbCdEf';

const cfg: EcsOrchestratorConfig = {
  kind: 'ecs',
  cluster: 'fjord-prod',
  subnets: ['subnet-a', 'subnet-b'],
  securityGroups: ['sg-brokers'],
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/fjord-broker:1.0.0',
  taskRoleArn: 'arn:aws:iam::123456789012:role/fjord-broker-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/fjord-broker-exec',
  region: 'eu-west-1',
  logGroup: '/fjord/brokers',
  environment: { FJORD_OBJECT_STORE: 's3', FJORD_S3_BUCKET: 'fjord-segments' },
  stuckAfterMs: 600_000,
};

const spec: BrokerSpec = {
  clusterId: 'c_abc',
  nodeId: 0,
  host: 'c-abc.brokers.fjord.example',
  port: 9092,
  config: { auth: 'sasl_plain', controlPlane: { url: 'https://api.fjord.example', token: 'tok_1' } },
};

const NOW = Date.parse('2026-11-25T08:00:00Z');
const SERVICE_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/fjord-prod/fjord-c_abc-0';
const TD_1 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/fjord-broker-c_abc:1';
const TD_2 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/fjord-broker-c_abc:2';
const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/fjord-prod/0123456789abcdef';

let sleeps: number[];
function orchestrator(retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number }) {
  return new EcsOrchestrator(cfg, {
    retry,
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
  });
}

function awsError(name: string, fault: 'client' | 'server', message = `${name} happened`) {
  return new ECSServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: fault === 'server' ? 500 : 400 },
    message,
  });
}

function commandNames(): string[] {
  return ecs.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}

/** The service ECS would describe after CreateService with this input. */
async function createdServiceInput(): Promise<CreateServiceCommandInput> {
  ecs.on(DescribeServicesCommand).resolves({ failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }], services: [] });
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD_1 } });
  ecs.on(CreateServiceCommand).resolves({});
  await orchestrator().ensureBroker(spec);
  const input = ecs.commandCalls(CreateServiceCommand)[0].args[0].input;
  ecs.reset();
  return input;
}

function activeService(input: CreateServiceCommandInput, overrides: Partial<Service> = {}): Service {
  return {
    serviceArn: SERVICE_ARN,
    serviceName: input.serviceName,
    status: 'ACTIVE',
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    taskDefinition: input.taskDefinition,
    tags: input.tags,
    deployments: [
      { id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'COMPLETED', updatedAt: new Date(NOW - 3_600_000) },
    ],
    events: [{ id: 'e1', message: '(service fjord-c_abc-0) has reached a steady state.' }],
    ...overrides,
  };
}

const runningTask: Task = {
  taskArn: TASK_ARN,
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  attachments: [
    {
      type: 'ElasticNetworkInterface',
      status: 'ATTACHED',
      details: [
        { name: 'subnetId', value: 'subnet-a' },
        { name: 'privateIPv4Address', value: '10.0.1.23' },
      ],
    },
  ],
};

const crashedTask: Task = {
  taskArn: TASK_ARN,
  lastStatus: 'STOPPED',
  desiredStatus: 'STOPPED',
  stoppedAt: new Date(NOW - 60_000),
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  containers: [{ name: 'broker', exitCode: 1, reason: 'bad config' }],
};

function tasks(running: Task[], stopped: Task[]) {
  ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: running.map((t) => t.taskArn!) });
  ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: stopped.map((t) => t.taskArn!) });
  ecs.on(DescribeTasksCommand).resolves({ tasks: running.length > 0 ? running : stopped });
}

beforeEach(() => {
  ecs.reset();
  secretsManager.reset();
  secretsManager.on(CreateSecretCommand).resolves({ ARN: TOKEN_SECRET_ARN });
  sleeps = [];
});
afterEach(() => {
  ecs.reset();
});

describe('ECS orchestrator: create', () => {
  it('registers a task definition for the cluster, then creates one service for the broker', async () => {
    ecs.on(DescribeServicesCommand).resolves({ failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }], services: [] });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD_1 } });
    ecs.on(CreateServiceCommand).resolves({ service: { serviceArn: SERVICE_ARN } });

    const status = await orchestrator().ensureBroker(spec);

    expect(status).toMatchObject({ clusterId: 'c_abc', nodeId: 0, state: 'starting' });
    expect(commandNames()).toEqual(['DescribeServices', 'RegisterTaskDefinition', 'CreateService']);
    expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({
      cluster: 'fjord-prod',
      services: ['fjord-c_abc-0'],
      include: ['TAGS'],
    });

    const td = ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(td).toMatchObject({
      family: 'fjord-broker-c_abc',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      taskRoleArn: cfg.taskRoleArn,
      executionRoleArn: cfg.executionRoleArn,
    });
    const container = td.containerDefinitions![0];
    expect(container).toMatchObject({
      name: 'broker',
      image: cfg.image,
      essential: true,
      portMappings: [{ containerPort: 9092, protocol: 'tcp' }],
      linuxParameters: { initProcessEnabled: true },
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/fjord/brokers', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'c_abc-0' },
      },
    });
    expect(container.environment!.map((e) => e.name)).toEqual([
      'FJORD_OBJECT_STORE',
      'FJORD_S3_BUCKET',
      'FJORD_BROKER_CONFIG_JSON',
    ]);
    const env = container.environment!.find((e) => e.name === 'FJORD_BROKER_CONFIG_JSON');
    expect(JSON.parse(env!.value!)).toEqual({
      clusterId: 'c_abc',
      nodeId: 0,
      auth: 'sasl_plain',
      controlPlane: { url: 'https://api.fjord.example' },
      listen: { host: '0.0.0.0', port: 9092 },
      advertised: { host: 'c-abc.brokers.fjord.example', port: 9092 },
      dataDir: '/var/lib/fjord/broker',
    });

    const svc = ecs.commandCalls(CreateServiceCommand)[0].args[0].input;
    expect(svc).toMatchObject({
      cluster: 'fjord-prod',
      serviceName: 'fjord-c_abc-0',
      taskDefinition: TD_1,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-brokers'], assignPublicIp: 'DISABLED' },
      },
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
    });
    expect(svc.tags).toEqual(
      expect.arrayContaining([
        { key: 'fjord:managed-by', value: 'fjord' },
        { key: 'fjord:cluster-id', value: 'c_abc' },
        { key: 'fjord:node-id', value: '0' },
        expect.objectContaining({ key: 'fjord:config-hash' }),
      ]),
    );
  });

  it('changes nothing when the service already runs this config', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService(input)] });
    tasks([runningTask], []);

    const status = await orchestrator().ensureBroker(spec);

    expect(status).toEqual({
      clusterId: 'c_abc',
      nodeId: 0,
      state: 'running',
      taskArn: TASK_ARN,
      endpoint: { host: '10.0.1.23', port: 9092 },
    });
    expect(commandNames()).toEqual(['DescribeServices', 'ListTasks', 'DescribeTasks']);
  });

  it('rolls out a new task definition revision when the config changed, and retires the old one', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService(input)] });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD_2 } });
    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(TagResourceCommand).resolves({});
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});

    const changed = { ...spec, config: { ...spec.config, auth: 'none' as const } };
    const status = await orchestrator().ensureBroker(changed);

    expect(status.state).toBe('starting');
    expect(commandNames()).toEqual([
      'DescribeServices',
      'RegisterTaskDefinition',
      'UpdateService',
      'TagResource',
      'DeregisterTaskDefinition',
    ]);
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'fjord-prod',
      service: 'fjord-c_abc-0',
      taskDefinition: TD_2,
      desiredCount: 1,
      forceNewDeployment: true,
    });
    const tag = ecs.commandCalls(TagResourceCommand)[0].args[0].input;
    expect(tag.resourceArn).toBe(SERVICE_ARN);
    const oldHash = input.tags!.find((t) => t.key === 'fjord:config-hash')!.value;
    expect(tag.tags).toEqual([{ key: 'fjord:config-hash', value: expect.not.stringMatching(oldHash!) }]);
    expect(ecs.commandCalls(DeregisterTaskDefinitionCommand)[0].args[0].input).toEqual({ taskDefinition: TD_1 });
  });

  it('refuses to recreate a service that is still draining, as a retriable error', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'fjord-c_abc-0', status: 'DRAINING' }] });
    const err = await orchestrator().ensureBroker(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrchestratorError);
    expect(err).toMatchObject({ code: 'FJ_ORCH_ECS_SERVICE_DRAINING', retriable: true });
    expect(commandNames()).toEqual(['DescribeServices']);
  });

  it('rejects a bad spec before calling ECS', async () => {
    const err = await orchestrator()
      .ensureBroker({ ...spec, clusterId: 'c abc/../x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FJ_ORCH_INVALID_SPEC', retriable: false });
    expect(ecs.calls()).toHaveLength(0);
  });

  it('rejects an incomplete ECS configuration', () => {
    expect(() => new EcsOrchestrator({ ...cfg, subnets: [], image: '' })).toThrow(
      expect.objectContaining({ code: 'FJ_ORCH_INVALID_CONFIG', message: expect.stringContaining('image, subnets') }),
    );
  });
});

describe('ECS orchestrator: health', () => {
  it('reports a missing service as stopped', async () => {
    ecs.on(DescribeServicesCommand).resolves({ failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }], services: [] });
    expect(await orchestrator().health('c_abc', 0)).toMatchObject({ state: 'stopped' });
    expect(commandNames()).toEqual(['DescribeServices']);
  });

  it('reports the running task with its private IP as the endpoint', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService(input)] });
    tasks([runningTask], []);

    expect(await orchestrator().health('c_abc', 0)).toMatchObject({
      state: 'running',
      taskArn: TASK_ARN,
      endpoint: { host: '10.0.1.23', port: 9092 },
    });
    expect(ecs.commandCalls(ListTasksCommand)[0].args[0].input).toEqual({
      cluster: 'fjord-prod',
      serviceName: 'fjord-c_abc-0',
      desiredStatus: 'RUNNING',
    });
    expect(ecs.commandCalls(DescribeTasksCommand)[0].args[0].input).toEqual({ cluster: 'fjord-prod', tasks: [TASK_ARN] });
  });

  it('reports why the last task stopped while ECS restarts it', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({
      services: [activeService(input, { runningCount: 0, deployments: [{ status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }] })],
    });
    tasks([], [crashedTask]);

    const status = await orchestrator().health('c_abc', 0);
    expect(status.state).toBe('starting');
    expect(status.reason).toBe('last task stopped: Essential container in task exited (exit code 1, bad config)');
    expect(commandNames()).toEqual(['DescribeServices', 'ListTasks', 'ListTasks', 'DescribeTasks']);
  });

  it('reports a rollout stopped by the circuit breaker as failed, with the reasons', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        activeService(input, {
          runningCount: 0,
          deployments: [
            {
              status: 'PRIMARY',
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
              updatedAt: new Date(NOW - 1_000),
            },
          ],
        }),
      ],
    });
    tasks([], [crashedTask]);

    const status = await orchestrator().health('c_abc', 0);
    expect(status.state).toBe('failed');
    expect(status.reason).toContain('circuit breaker');
    expect(status.reason).toContain('exit code 1');
  });

  it('reports the latest service event when no task was placed yet', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        activeService(input, {
          runningCount: 0,
          deployments: [{ status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }],
          events: [{ id: 'e2', message: '(service fjord-c_abc-0) was unable to place a task.' }],
        }),
      ],
    });
    tasks([], []);
    expect(await orchestrator().health('c_abc', 0)).toMatchObject({
      state: 'starting',
      reason: '(service fjord-c_abc-0) was unable to place a task.',
    });
  });
});

describe('ECS orchestrator: repair', () => {
  it('forces a new deployment when the broker has not run for longer than stuckAfterMs', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        activeService(input, {
          runningCount: 0,
          deployments: [{ status: 'PRIMARY', rolloutState: 'FAILED', updatedAt: new Date(NOW - 600_000) }],
        }),
      ],
    });
    tasks([], [crashedTask]);
    ecs.on(UpdateServiceCommand).resolves({});

    const status = await orchestrator().ensureBroker(spec);

    expect(status.state).toBe('starting');
    expect(status.reason).toContain('redeployed');
    expect(commandNames()).toEqual(['DescribeServices', 'ListTasks', 'ListTasks', 'DescribeTasks', 'UpdateService']);
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'fjord-prod',
      service: 'fjord-c_abc-0',
      forceNewDeployment: true,
    });
  });

  it('leaves a deployment alone while it is younger than stuckAfterMs', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        activeService(input, {
          runningCount: 0,
          deployments: [{ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', updatedAt: new Date(NOW - 599_000) }],
        }),
      ],
    });
    tasks([], [crashedTask]);

    expect((await orchestrator().ensureBroker(spec)).state).toBe('starting');
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('scales a service that someone scaled to zero back to one task', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService(input, { desiredCount: 0, runningCount: 0 })] });
    ecs.on(UpdateServiceCommand).resolves({});

    expect((await orchestrator().ensureBroker(spec)).state).toBe('starting');
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'fjord-prod',
      service: 'fjord-c_abc-0',
      desiredCount: 1,
    });
  });
});

describe('ECS orchestrator: delete', () => {
  it('scales to zero, deletes the service, then deregisters its task definition', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService(input)] });
    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(DeleteServiceCommand).resolves({});
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});

    await orchestrator().stopBroker('c_abc', 0, { deleteData: true });

    expect(commandNames()).toEqual(['DescribeServices', 'UpdateService', 'DeleteService', 'DeregisterTaskDefinition']);
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'fjord-prod',
      service: 'fjord-c_abc-0',
      desiredCount: 0,
    });
    expect(ecs.commandCalls(DeleteServiceCommand)[0].args[0].input).toEqual({
      cluster: 'fjord-prod',
      service: 'fjord-c_abc-0',
      force: true,
    });
    expect(ecs.commandCalls(DeregisterTaskDefinitionCommand)[0].args[0].input).toEqual({ taskDefinition: TD_1 });
  });

  it('is idempotent: a missing service needs nothing, a draining one only its task definition retired', async () => {
    ecs.on(DescribeServicesCommand).resolves({ failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }], services: [] });
    await orchestrator().stopBroker('c_abc', 0);
    expect(commandNames()).toEqual(['DescribeServices']);

    ecs.reset();
    ecs.on(DescribeServicesCommand).resolves({ services: [{ status: 'DRAINING', taskDefinition: TD_1 }] });
    ecs.on(DeregisterTaskDefinitionCommand).rejects(
      awsError('ClientException', 'client', 'The specified task definition is already inactive.'),
    );
    await orchestrator().stopBroker('c_abc', 0);
    expect(commandNames()).toEqual(['DescribeServices', 'DeregisterTaskDefinition']);
  });

  it('finishes when the service disappears between describe and delete', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService(input)] });
    ecs.on(UpdateServiceCommand).rejects(awsError('ServiceNotActiveException', 'client'));
    ecs.on(DeleteServiceCommand).rejects(awsError('ServiceNotFoundException', 'client'));
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});

    await orchestrator().stopBroker('c_abc', 0);
    expect(commandNames()).toEqual(['DescribeServices', 'UpdateService', 'DeleteService', 'DeregisterTaskDefinition']);
  });
});

describe('ECS orchestrator: control-plane shutdown', () => {
  it('leaves every broker serving on close(), and has no stopAll(): replicas are redeployed while clusters run', async () => {
    const input = await createdServiceInput();
    ecs.on(DescribeServicesCommand).resolves({ services: [activeService(input)] });
    tasks([runningTask], []);
    const orch: Orchestrator = orchestrator();
    expect(await orch.health('c_abc', 0)).toMatchObject({ state: 'running' });
    ecs.resetHistory();

    expect(orch.stopAll).toBeUndefined();
    await orch.close();

    expect(commandNames()).toEqual([]);
  });
});

describe('ECS orchestrator: list', () => {
  it("pages through the cluster's services and returns Fjord's brokers only", async () => {
    const arn = (name: string) => `arn:aws:ecs:eu-west-1:123456789012:service/fjord-prod/${name}`;
    const names = Array.from({ length: 11 }, (_, i) => `fjord-c_${i}-0`);
    ecs
      .on(ListServicesCommand)
      .resolvesOnce({ serviceArns: [arn('billing-api'), ...names.slice(0, 6).map(arn)], nextToken: 'page-2' })
      .resolvesOnce({ serviceArns: [...names.slice(6).map(arn), arn('fjord-not-ours-0')] });
    const service = (name: string, overrides: Partial<Service> = {}): Service => {
      const [, clusterId, nodeId] = /^fjord-(.+)-(\d+)$/.exec(name)!;
      return {
        serviceArn: arn(name),
        serviceName: name,
        status: 'ACTIVE',
        desiredCount: 1,
        runningCount: 1,
        tags: [
          { key: 'fjord:managed-by', value: 'fjord' },
          { key: 'fjord:cluster-id', value: clusterId },
          { key: 'fjord:node-id', value: nodeId },
        ],
        ...overrides,
      };
    };
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: names.slice(0, 10).map((n, i) => service(n, i === 3 ? { runningCount: 0, events: [] } : {})),
      })
      .resolvesOnce({ services: [service(names[10], { status: 'DRAINING' }), { serviceName: 'fjord-not-ours-0', tags: [] }] });

    const listed = await orchestrator().list();

    expect(commandNames()).toEqual(['ListServices', 'ListServices', 'DescribeServices', 'DescribeServices']);
    expect(ecs.commandCalls(ListServicesCommand)[1].args[0].input).toMatchObject({ cluster: 'fjord-prod', nextToken: 'page-2' });
    const batches = ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input);
    expect(batches[0]).toEqual({ cluster: 'fjord-prod', services: names.slice(0, 10).map(arn), include: ['TAGS'] });
    expect(batches[1].services).toEqual([arn(names[10]), arn('fjord-not-ours-0')]);

    expect(listed).toHaveLength(11);
    expect(listed[0]).toEqual({ clusterId: 'c_0', nodeId: 0, state: 'running' });
    expect(listed[3]).toMatchObject({ clusterId: 'c_3', state: 'starting' });
    expect(listed[10]).toEqual({ clusterId: 'c_10', nodeId: 0, state: 'stopped' });
  });
});

describe('ECS orchestrator: throttling and failures', () => {
  it('retries a throttled call with growing backoff and then succeeds', async () => {
    ecs
      .on(DescribeServicesCommand)
      .rejectsOnce(awsError('ThrottlingException', 'client', 'Rate exceeded'))
      .rejectsOnce(awsError('ThrottlingException', 'client', 'Rate exceeded'))
      .resolves({ failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }], services: [] });

    const status = await orchestrator({ baseDelayMs: 100 }).health('c_abc', 0);

    expect(status.state).toBe('stopped');
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up after maxAttempts with a retriable FJ_ORCH_ECS_THROTTLED, backoff capped at maxDelayMs', async () => {
    ecs.on(DescribeServicesCommand).rejects(awsError('ThrottlingException', 'client', 'Rate exceeded'));

    const err = await orchestrator({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300 })
      .ensureBroker(spec)
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(OrchestratorError);
    expect(err).toMatchObject({ code: 'FJ_ORCH_ECS_THROTTLED', retriable: true });
    expect((err as Error).message).toBe('ECS throttled DescribeServices 5 times in a row: Rate exceeded');
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(5);
    expect(sleeps).toEqual([100, 200, 300, 300]);
    expect(commandNames()).not.toContain('CreateService');
  });

  it('retries throttling in the middle of a create and carries on from there', async () => {
    ecs.on(DescribeServicesCommand).resolves({ failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }], services: [] });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD_1 } });
    ecs
      .on(CreateServiceCommand)
      .rejectsOnce(Object.assign(new Error('Too Many Requests'), { name: 'TooManyRequests', $metadata: { httpStatusCode: 429 } }))
      .resolves({});

    expect((await orchestrator().ensureBroker(spec)).state).toBe('starting');
    expect(commandNames()).toEqual(['DescribeServices', 'RegisterTaskDefinition', 'CreateService', 'CreateService']);
  });

  it('surfaces a refused request as a non-retriable FJ_ORCH_ECS_REJECTED, without retrying it, and cleans up', async () => {
    ecs.on(DescribeServicesCommand).resolves({ failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }], services: [] });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD_1 } });
    ecs
      .on(CreateServiceCommand)
      .rejects(awsError('InvalidParameterException', 'client', 'subnet-a does not exist in this VPC'));
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});

    const err = await orchestrator().ensureBroker(spec).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(OrchestratorError);
    expect(err).toMatchObject({ code: 'FJ_ORCH_ECS_REJECTED', retriable: false });
    expect((err as Error).message).toBe(
      'ECS rejected CreateService (InvalidParameterException): subnet-a does not exist in this VPC',
    );
    expect((err as Error).cause).toMatchObject({ name: 'InvalidParameterException' });
    expect(commandNames()).toEqual([
      'DescribeServices',
      'RegisterTaskDefinition',
      'CreateService',
      'DeregisterTaskDefinition',
    ]);
    expect(sleeps).toEqual([]);
  });

  it('surfaces access denied as rejected and an ECS server fault as retriable FJ_ORCH_ECS_UNAVAILABLE', async () => {
    ecs.on(ListServicesCommand).rejects(awsError('AccessDeniedException', 'client', 'not authorized'));
    expect(await orchestrator().list().catch((e: unknown) => e)).toMatchObject({
      code: 'FJ_ORCH_ECS_REJECTED',
      retriable: false,
    });

    ecs.reset();
    ecs.on(DescribeServicesCommand).rejects(awsError('ServerException', 'server', 'internal error'));
    const err = await orchestrator().stopBroker('c_abc', 0).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FJ_ORCH_ECS_UNAVAILABLE', retriable: true });
    expect((err as Error).message).toBe('ECS could not serve DescribeServices: ServerException: internal error');
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });
});
