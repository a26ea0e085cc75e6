import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  createOrchestrator,
  EcsOrchestrator,
  LocalOrchestrator,
  orchestratorConfigFromEnv,
  orchestratorErrors,
} from '@fjord/orchestrator';

const ecsEnv = {
  FJORD_ORCHESTRATOR: 'ecs',
  FJORD_ECS_CLUSTER: 'fjord-prod',
  FJORD_ECS_SUBNETS: 'subnet-a, subnet-b',
  FJORD_ECS_SECURITY_GROUPS: 'sg-brokers',
  FJORD_ECS_BROKER_IMAGE: 'fjord-broker:1.0.0',
  FJORD_ECS_TASK_ROLE_ARN: 'arn:aws:iam::123456789012:role/task',
  FJORD_ECS_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/exec',
  AWS_REGION: 'eu-west-1',
};

describe('orchestrator configuration', () => {
  it('runs brokers as local processes unless told otherwise', () => {
    const cfg = orchestratorConfigFromEnv({}, '/var/lib/fjord');
    expect(cfg).toEqual({ kind: 'local', dataDir: '/var/lib/fjord' });
    expect(createOrchestrator(cfg)).toBeInstanceOf(LocalOrchestrator);
  });

  it('selects ECS with FJORD_ORCHESTRATOR=ecs and its settings', async () => {
    const cfg = orchestratorConfigFromEnv(
      {
        ...ecsEnv,
        FJORD_ECS_LOG_GROUP: '/fjord/brokers',
        FJORD_ECS_BROKER_CPU: '512',
        FJORD_ECS_BROKER_MEMORY: '1024',
        FJORD_S3_BUCKET: 'fjord-segments',
        FJORD_S3_PREFIX: 'clusters/',
        DATABASE_PASSWORD: 'not for brokers',
      },
      '/unused',
    );
    expect(cfg).toEqual({
      kind: 'ecs',
      cluster: 'fjord-prod',
      subnets: ['subnet-a', 'subnet-b'],
      securityGroups: ['sg-brokers'],
      image: 'fjord-broker:1.0.0',
      taskRoleArn: 'arn:aws:iam::123456789012:role/task',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      region: 'eu-west-1',
      logGroup: '/fjord/brokers',
      assignPublicIp: false,
      cpu: '512',
      memory: '1024',
      environment: { FJORD_S3_BUCKET: 'fjord-segments', FJORD_S3_PREFIX: 'clusters/' },
    });
    const orchestrator = createOrchestrator(cfg);
    expect(orchestrator).toBeInstanceOf(EcsOrchestrator);
    await orchestrator.close();
  });

  it('names every missing ECS setting at once', () => {
    const { FJORD_ECS_CLUSTER: _c, AWS_REGION: _r, ...incomplete } = ecsEnv;
    expect(() => orchestratorConfigFromEnv(incomplete, '/unused')).toThrow(
      expect.objectContaining({
        code: 'FJ_ORCH_INVALID_CONFIG',
        message: 'Invalid orchestrator configuration: FJORD_ORCHESTRATOR=ecs needs FJORD_ECS_CLUSTER, FJORD_ECS_REGION (or AWS_REGION)',
      }),
    );
  });

  it('refuses an unknown orchestrator kind', () => {
    expect(() => orchestratorConfigFromEnv({ FJORD_ORCHESTRATOR: 'kubernetes' }, '/unused')).toThrow(
      expect.objectContaining({ code: 'FJ_ORCH_INVALID_CONFIG' }),
    );
  });

  it('documents every error code with its retriable flag in the README', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const documented = [...readme.matchAll(/^\| `(FJ_ORCH_[A-Z_]+)` \| (yes|no) \|/gm)].map(([, code, retriable]) => [
      code,
      retriable === 'yes',
    ]);
    const declared = Object.entries(orchestratorErrors).map(([code, entry]) => [code, entry.retriable]);
    expect(documented).toEqual(declared);
  });
});
