import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  IAMServiceException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EcsOrchestrator, orchestratorConfigFromEnv, type BrokerSpec, type EcsOrchestratorConfig } from '@fjord/orchestrator';

const ecs = mockClient(ECSClient);
const iam = mockClient(IAMClient);
const secretsManager = mockClient(SecretsManagerClient);

const BOUNDARY = 'arn:aws:iam::123456789012:policy/Fjord-BrokerBoundary';
const cfg: EcsOrchestratorConfig = {
  kind: 'ecs',
  cluster: 'fjord-prod',
  subnets: ['subnet-a'],
  securityGroups: ['sg-brokers'],
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/fjord-broker:1.0.0',
  taskRoleArn: 'arn:aws:iam::123456789012:role/fjord-broker-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/fjord-broker-exec',
  region: 'eu-west-1',
  brokerRoles: { path: '/fjord/Fjord/', permissionsBoundaryArn: BOUNDARY, bucket: 'fjord-segments', segmentPrefix: 'clusters/' },
};
const CLUSTER = '0196f3a2-7c1d-7e4b-9a35-2f0c8e6d1b47';
const spec: BrokerSpec = {
  clusterId: CLUSTER,
  nodeId: 0,
  host: 'broker.fjord.example',
  port: 9092,
  config: { auth: 'sasl_plain', controlPlane: { url: 'http://control-plane.fjord.internal:8080', token: 'fjb_x' } },
};
const ROLE_NAME = `fjord-broker-${CLUSTER}`;
const ROLE_ARN = `arn:aws:iam::123456789012:role/fjord/Fjord/${ROLE_NAME}`;
const SERVICE_ARN = `arn:aws:ecs:eu-west-1:123456789012:service/fjord-prod/fjord-${CLUSTER}-0`;
const TD_1 = `arn:aws:ecs:eu-west-1:123456789012:task-definition/fjord-broker-${CLUSTER}:1`;

const orchestrator = () => new EcsOrchestrator(cfg, { sleep: async () => {}, random: () => 0 });

function iamError(name: string) {
  return new IAMServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 409 }, message: `${name} happened` });
}

beforeEach(() => {
  for (const mock of [ecs, iam, secretsManager]) mock.reset();
  ecs.on(DescribeServicesCommand).resolves({ failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }], services: [] });
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD_1 } });
  ecs.on(CreateServiceCommand).resolves({ service: { serviceArn: SERVICE_ARN } });
  secretsManager.on(CreateSecretCommand).resolves({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fjord/brokers/x-AbCdEf' });
  iam.on(CreateRoleCommand).resolves({ Role: { Arn: ROLE_ARN } as never });
  iam.on(PutRolePolicyCommand).resolves({});
});
afterEach(() => {
  for (const mock of [ecs, iam, secretsManager]) mock.reset();
});

describe('ECS orchestrator: a task role per cluster', () => {
  it('runs the broker as a role of its own, under the boundary, allowed its cluster prefix only', async () => {
    await orchestrator().ensureBroker(spec);

    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input.taskRoleArn).toBe(ROLE_ARN);
    const created = iam.commandCalls(CreateRoleCommand)[0].args[0].input;
    expect(created).toMatchObject({ RoleName: ROLE_NAME, Path: '/fjord/Fjord/', PermissionsBoundary: BOUNDARY });
    expect(JSON.parse(created.AssumeRolePolicyDocument!).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);

    const policy = JSON.parse(iam.commandCalls(PutRolePolicyCommand)[0].args[0].input.PolicyDocument!);
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Resource: `arn:aws:s3:::fjord-segments/clusters/${CLUSTER}/*` }),
      expect.objectContaining({
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::fjord-segments',
        Condition: { StringLike: { 's3:prefix': [`clusters/${CLUSTER}/*`] } },
      }),
    ]);
    // Nothing in it reaches the prefix as a whole, where other clusters live.
    expect(JSON.stringify(policy)).not.toContain('clusters/*');
  });

  it('reuses a role made before and brings its policy up to date', async () => {
    iam.on(CreateRoleCommand).rejects(iamError('EntityAlreadyExistsException'));
    await orchestrator().ensureBroker(spec);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input.taskRoleArn).toBe(ROLE_ARN);
  });

  it('deletes the role with the cluster, and tolerates one already gone', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceArn: SERVICE_ARN, status: 'ACTIVE', desiredCount: 0, taskDefinition: TD_1 }] });
    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(DeleteServiceCommand).resolves({});
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});
    secretsManager.on(DeleteSecretCommand).resolves({});
    iam.on(DeleteRolePolicyCommand).resolves({});
    iam.on(DeleteRoleCommand).resolves({});

    await orchestrator().stopBroker(CLUSTER, 0);
    expect(iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);

    await orchestrator().stopBroker(CLUSTER, 0, { deleteData: true });
    expect(iam.commandCalls(DeleteRolePolicyCommand)[0].args[0].input).toEqual({ RoleName: ROLE_NAME, PolicyName: 'cluster-segments' });
    expect(iam.commandCalls(DeleteRoleCommand)[0].args[0].input).toEqual({ RoleName: ROLE_NAME });

    iam.on(DeleteRolePolicyCommand).rejects(iamError('NoSuchEntityException'));
    iam.on(DeleteRoleCommand).rejects(iamError('NoSuchEntityException'));
    await expect(orchestrator().stopBroker(CLUSTER, 0, { deleteData: true })).resolves.toBeUndefined();
  });

  it('is configured from the environment the CDK app sets, or not at all', () => {
    const base = {
      FJORD_ORCHESTRATOR: 'ecs',
      FJORD_ECS_CLUSTER: 'fjord-prod',
      FJORD_ECS_SUBNETS: 'subnet-a',
      FJORD_ECS_SECURITY_GROUPS: 'sg-1',
      FJORD_ECS_BROKER_IMAGE: 'img',
      FJORD_ECS_TASK_ROLE_ARN: 'arn:aws:iam::123456789012:role/t',
      FJORD_ECS_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/e',
      FJORD_ECS_REGION: 'eu-west-1',
      FJORD_S3_BUCKET: 'fjord-segments',
      FJORD_S3_PREFIX: 'clusters/',
    };
    expect(orchestratorConfigFromEnv(base, '/data')).toMatchObject({ brokerRoles: undefined });
    const withRoles = { ...base, FJORD_ECS_BROKER_ROLE_BOUNDARY_ARN: BOUNDARY, FJORD_ECS_BROKER_ROLE_PATH: '/fjord/Fjord/' };
    expect(orchestratorConfigFromEnv(withRoles, '/data')).toMatchObject({ brokerRoles: cfg.brokerRoles });
    const { FJORD_ECS_BROKER_ROLE_PATH: _path, ...noPath } = withRoles;
    expect(() => orchestratorConfigFromEnv(noPath, '/data')).toThrow(/FJORD_ECS_BROKER_ROLE_PATH/);
  });
});
