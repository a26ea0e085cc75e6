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
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BROKER_SECRETS_ENV } from '@fjord/broker-contract';
import { EcsOrchestrator, type BrokerSpec, type EcsOrchestratorConfig } from '@fjord/orchestrator';

const ecs = mockClient(ECSClient);
const secretsManager = mockClient(SecretsManagerClient);

const cfg: EcsOrchestratorConfig = {
  kind: 'ecs',
  cluster: 'fjord-prod',
  subnets: ['subnet-a'],
  securityGroups: ['sg-brokers'],
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/fjord-broker:1.0.0',
  taskRoleArn: 'arn:aws:iam::123456789012:role/fjord-broker-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/fjord-broker-exec',
  region: 'eu-west-1',
  environment: { FJORD_OBJECT_STORE: 's3' },
  secretPrefix: 'Fjord/brokers/',
};
const TOKEN = 'fjb_c_abc.0123456789abcdef0123456789abcdef';
const TLS_KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
const TLS_CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const SECRETS = JSON.stringify({ token: TOKEN, tlsKeyPem: TLS_KEY });
const spec: BrokerSpec = {
  clusterId: 'c_abc',
  nodeId: 0,
  host: 'c-abc.brokers.fjord.example',
  port: 9092,
  config: {
    auth: 'sasl_plain',
    controlPlane: { url: 'http://control-plane.fjord.internal:8080', token: TOKEN },
    tls: { certPem: TLS_CERT, keyPem: TLS_KEY },
  },
};
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:Fjord/brokers/c_abc-AbCdEf';
const SERVICE_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/fjord-prod/fjord-c_abc-0';
const TD_1 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/fjord-broker-c_abc:1';

const orchestrator = () => new EcsOrchestrator(cfg, { sleep: async () => {}, random: () => 0 });

function smError(name: string) {
  return new SecretsManagerServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: `${name} happened` });
}

async function registeredContainer() {
  await orchestrator().ensureBroker(spec);
  return ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input.containerDefinitions![0];
}

beforeEach(() => {
  ecs.reset();
  secretsManager.reset();
  ecs.on(DescribeServicesCommand).resolves({ failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }], services: [] });
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD_1 } });
  ecs.on(CreateServiceCommand).resolves({ service: { serviceArn: SERVICE_ARN } });
  secretsManager.on(CreateSecretCommand).resolves({ ARN: SECRET_ARN });
});
afterEach(() => {
  ecs.reset();
  secretsManager.reset();
});

describe("ECS orchestrator: the broker's token and TLS key", () => {
  it('is stored in a secret of its own cluster and reaches the container through `secrets`, never `environment`', async () => {
    const container = await registeredContainer();

    expect(JSON.stringify(container.environment)).not.toContain(TOKEN);
    expect(JSON.stringify(container.environment)).not.toContain('PRIVATE KEY');
    expect(container.environment!.map((e) => e.name)).not.toContain(BROKER_SECRETS_ENV);
    expect(container.secrets).toEqual([{ name: BROKER_SECRETS_ENV, valueFrom: SECRET_ARN }]);
    const config = JSON.parse(container.environment!.find((e) => e.name === 'FJORD_BROKER_CONFIG_JSON')!.value!);
    expect(config.controlPlane).toEqual({ url: 'http://control-plane.fjord.internal:8080' });
    expect(config.tls).toEqual({ certPem: TLS_CERT });

    expect(secretsManager.commandCalls(CreateSecretCommand)[0].args[0].input).toEqual({
      Name: 'Fjord/brokers/c_abc',
      SecretString: SECRETS,
      Description: 'Fjord broker secrets of cluster c_abc',
      Tags: [
        { Key: 'fjord:managed-by', Value: 'fjord' },
        { Key: 'fjord:cluster-id', Value: 'c_abc' },
      ],
    });
  });

  it('updates the existing secret when the cluster already has one', async () => {
    secretsManager.on(CreateSecretCommand).rejects(smError('ResourceExistsException'));
    secretsManager.on(PutSecretValueCommand).resolves({ ARN: SECRET_ARN });

    const container = await registeredContainer();

    expect(secretsManager.commandCalls(PutSecretValueCommand)[0].args[0].input).toEqual({ SecretId: 'Fjord/brokers/c_abc', SecretString: SECRETS });
    expect(container.secrets).toEqual([{ name: BROKER_SECRETS_ENV, valueFrom: SECRET_ARN }]);
  });

  it('registers no task definition when the secret cannot be stored, and says why', async () => {
    secretsManager.on(CreateSecretCommand).rejects(smError('AccessDeniedException'));
    await expect(orchestrator().ensureBroker(spec)).rejects.toMatchObject({ code: 'FJ_ORCH_ECS_REJECTED', retriable: false });
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('needs no secret for a broker without a control plane', async () => {
    const container = await (async () => {
      await orchestrator().ensureBroker({ ...spec, config: { auth: 'none' } });
      return ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input.containerDefinitions![0];
    })();
    expect(container.secrets).toBeUndefined();
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('is deleted with the cluster, at once, and kept by a mere stop', async () => {
    const service = { serviceArn: SERVICE_ARN, status: 'ACTIVE', desiredCount: 1, taskDefinition: TD_1 };
    ecs.on(DescribeServicesCommand).resolves({ services: [service] });
    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(DeleteServiceCommand).resolves({});
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});
    secretsManager.on(DeleteSecretCommand).resolves({});

    await orchestrator().stopBroker('c_abc', 0);
    expect(secretsManager.commandCalls(DeleteSecretCommand)).toHaveLength(0);

    await orchestrator().stopBroker('c_abc', 0, { deleteData: true });
    expect(secretsManager.commandCalls(DeleteSecretCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: 'Fjord/brokers/c_abc', ForceDeleteWithoutRecovery: true },
    ]);

    // Deleting again, after an interrupted delete, finds nothing to delete and is done.
    ecs.on(DescribeServicesCommand).resolves({ failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }], services: [] });
    secretsManager.on(DeleteSecretCommand).rejects(smError('ResourceNotFoundException'));
    await expect(orchestrator().stopBroker('c_abc', 0, { deleteData: true })).resolves.toBeUndefined();
  });
});
