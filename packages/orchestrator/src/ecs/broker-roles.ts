import { createHash } from 'node:crypto';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { orchestratorError } from '../errors.ts';
import { awsErrorName, callEcs, type BackoffClock, type RetryPolicy } from './ecs-calls.ts';
import { TAG_CLUSTER_ID, TAG_MANAGED_BY } from './ecs-resources.ts';

/**
 * Where per-cluster broker roles are made. The permissions boundary is what keeps this safe: the
 * control plane may create roles only with it attached, so a role it makes can never do more than
 * the boundary (the segment prefix) allows, whatever policy it puts on the role.
 */
export interface BrokerRoleConfig {
  /** IAM path of the roles, e.g. `/fjord/Fjord/` (one per deployment). */
  path: string;
  permissionsBoundaryArn: string;
  bucket: string;
  /** The segment prefix; a cluster's objects live below `<segmentPrefix><clusterId>/`. */
  segmentPrefix: string;
}

const ROLE_NAME_PREFIX = 'fjord-broker-';
const ROLE_NAME_MAX = 64;
const POLICY_NAME = 'cluster-segments';

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** `fjord-broker-<clusterId>`, or a digest of the id where that would pass IAM's 64 characters. */
export function brokerRoleName(clusterId: string): string {
  const name = `${ROLE_NAME_PREFIX}${clusterId}`;
  if (name.length <= ROLE_NAME_MAX) return name;
  return `${ROLE_NAME_PREFIX}${createHash('sha256').update(clusterId).digest('hex').slice(0, ROLE_NAME_MAX - ROLE_NAME_PREFIX.length)}`;
}

// The boundary's ARN names the partition and account the roles live in.
function boundaryParts(cfg: BrokerRoleConfig): { partition: string; account: string } {
  const match = /^arn:([^:]+):iam::(\d{12}):policy\//.exec(cfg.permissionsBoundaryArn);
  if (!match) throw orchestratorError('FJ_ORCH_INVALID_CONFIG', `permissions boundary ${cfg.permissionsBoundaryArn} is not an IAM policy ARN`);
  return { partition: match[1], account: match[2] };
}

/** The one cluster's objects and listing, nothing of other clusters. */
export function clusterSegmentPolicy(cfg: BrokerRoleConfig, clusterId: string): string {
  const prefix = `${cfg.segmentPrefix}${clusterId}/`;
  const bucketArn = `arn:${boundaryParts(cfg).partition}:s3:::${cfg.bucket}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ClusterSegmentObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: `${bucketArn}/${prefix}*`,
      },
      {
        Sid: 'ListClusterSegments',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      },
    ],
  });
}

/**
 * One task role per cluster, so a broker reaches only its own cluster's segments: ECS gives every
 * task of a role the same credentials and carries no per-task tag into the session, so neither a
 * shared role nor a session policy the broker applies to itself could keep one cluster from another's.
 */
export class BrokerRoles {
  constructor(
    private readonly client: IAMClient,
    private readonly cfg: BrokerRoleConfig,
    private readonly retry: RetryPolicy,
    private readonly clock: BackoffClock,
  ) {
    boundaryParts(cfg);
  }

  /** Makes (or brings up to date) the cluster's role and answers its ARN for the task definition. */
  async ensure(clusterId: string): Promise<string> {
    const RoleName = brokerRoleName(clusterId);
    let arn: string | undefined;
    try {
      const created = await this.#call('CreateRole', () =>
        this.client.send(
          new CreateRoleCommand({
            RoleName,
            Path: this.cfg.path,
            AssumeRolePolicyDocument: TRUST_POLICY,
            PermissionsBoundary: this.cfg.permissionsBoundaryArn,
            Description: `Fjord broker of cluster ${clusterId}: its own tiered segments only`,
            Tags: [
              { Key: TAG_MANAGED_BY, Value: 'fjord' },
              { Key: TAG_CLUSTER_ID, Value: clusterId },
            ],
          }),
        ),
      );
      arn = created.Role?.Arn;
    } catch (err) {
      if (awsErrorName(err) !== 'EntityAlreadyExistsException') throw err;
    }
    await this.#call('PutRolePolicy', () =>
      this.client.send(new PutRolePolicyCommand({ RoleName, PolicyName: POLICY_NAME, PolicyDocument: clusterSegmentPolicy(this.cfg, clusterId) })),
    );
    return arn ?? this.#arnFromName(RoleName);
  }

  async delete(clusterId: string): Promise<void> {
    const RoleName = brokerRoleName(clusterId);
    await this.#ignoreMissing(this.#call('DeleteRolePolicy', () => this.client.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: POLICY_NAME }))));
    await this.#ignoreMissing(this.#call('DeleteRole', () => this.client.send(new DeleteRoleCommand({ RoleName }))));
  }

  #arnFromName(roleName: string): string {
    const { partition, account } = boundaryParts(this.cfg);
    return `arn:${partition}:iam::${account}:role${this.cfg.path}${roleName}`;
  }

  async #ignoreMissing(call: Promise<unknown>): Promise<void> {
    try {
      await call;
    } catch (err) {
      if (awsErrorName(err) !== 'NoSuchEntityException') throw err;
    }
  }

  #call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return callEcs(operation, call, this.retry, this.clock);
  }
}
