import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { orchestratorError } from '../errors.ts';
import { awsErrorName, callEcs, type BackoffClock, type RetryPolicy } from './ecs-calls.ts';
import { TAG_CLUSTER_ID, TAG_MANAGED_BY } from './ecs-resources.ts';

export const DEFAULT_SECRET_PREFIX = 'fjord/brokers/';

/**
 * One Secrets Manager secret per cluster holding its broker's secrets (token, TLS key: brokerSecretsSchema as JSON), named `<prefix><clusterId>`, so
 * the task definition refers to it (container `secrets`) instead of carrying them in plain
 * environment. Created or updated before each task definition that needs it, deleted with the cluster.
 */
export class BrokerSecrets {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly retry: RetryPolicy,
    private readonly clock: BackoffClock,
  ) {}

  name(clusterId: string): string {
    return `${this.prefix}${clusterId}`;
  }

  /** Stores the cluster's broker secrets (JSON) and answers the secret's ARN for the task definition. */
  async put(clusterId: string, secrets: string): Promise<string> {
    const name = this.name(clusterId);
    try {
      const created = await this.#call('CreateSecret', () =>
        this.client.send(
          new CreateSecretCommand({
            Name: name,
            SecretString: secrets,
            Description: `Fjord broker secrets of cluster ${clusterId}`,
            Tags: [
              { Key: TAG_MANAGED_BY, Value: 'fjord' },
              { Key: TAG_CLUSTER_ID, Value: clusterId },
            ],
          }),
        ),
      );
      return arnOf('CreateSecret', created.ARN);
    } catch (err) {
      if (awsErrorName(err) !== 'ResourceExistsException') throw err;
    }
    const updated = await this.#call('PutSecretValue', () =>
      this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: secrets })),
    );
    return arnOf('PutSecretValue', updated.ARN);
  }

  /** Deletes the cluster's secret at once (no recovery window: the name is free for a cluster made again). */
  async delete(clusterId: string): Promise<void> {
    try {
      await this.#call('DeleteSecret', () =>
        this.client.send(new DeleteSecretCommand({ SecretId: this.name(clusterId), ForceDeleteWithoutRecovery: true })),
      );
    } catch (err) {
      if (awsErrorName(err) !== 'ResourceNotFoundException') throw err;
    }
  }

  #call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return callEcs(operation, call, this.retry, this.clock);
  }
}

function arnOf(operation: string, arn: string | undefined): string {
  if (!arn) throw orchestratorError('FJ_ORCH_ECS_UNAVAILABLE', operation, 'no secret ARN in the answer');
  return arn;
}
