import { ArnFormat, RemovalPolicy, Stack, aws_ecr as ecr, aws_ecs as ecs, aws_iam as iam, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KAFKA_PORT } from './network.ts';
import type { SegmentBucket } from './segment-bucket.ts';
import type { FjordSettings } from './settings.ts';

export const BROKER_CONTAINER_NAME = 'broker';
/**
 * The family of the broker task definition below. The ECS orchestrator (packages/orchestrator)
 * registers one family per Fjord cluster named `fjord-broker-<clusterId>`; IAM covers both.
 */
export const BROKER_TASK_FAMILY = 'fjord-broker';

export interface BrokerTaskProps {
  readonly repository: ecr.IRepository;
  readonly imageTag: string;
  readonly segments: SegmentBucket;
  readonly settings: FjordSettings['broker'];
  readonly logRetentionDays: number;
}

/**
 * Name prefix of the per-cluster Secrets Manager secrets holding brokers' token and TLS key (one per cluster,
 * created and deleted by the ECS orchestrator, read by ECS when a broker task starts).
 */
export function brokerSecretPrefix(stackName: string): string {
  return `${stackName}/brokers/`;
}

/** IAM path of the per-cluster broker roles the ECS orchestrator makes (`fjord-broker-<clusterId>`). */
export function brokerRolePath(stackName: string): string {
  return `/fjord/${stackName}/`;
}

/**
 * The broker task definition, its roles and log group. This stack starts no broker: the control
 * plane's ECS orchestrator creates one ECS service per broker, from a task definition shaped like
 * this one in the `fjord-broker-<clusterId>` family, with the same roles, image and log group, and
 * the cluster's broker config in FJORD_BROKER_CONFIG_JSON (see infra/docker/broker-entrypoint.sh)
 * and its broker token and TLS key in FJORD_BROKER_SECRETS_JSON, from the cluster's secret.
 */
export class BrokerTask extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly image: ecs.EcrImage;
  /** ARN pattern of every cluster's broker token secret (Secrets Manager appends a random suffix to names). */
  readonly tokenSecretsArn: string;
  /** The permissions boundary every cluster's broker role is created with. */
  readonly roleBoundary: iam.ManagedPolicy;
  /** IAM path of the cluster roles, and the ARN pattern covering them all. */
  readonly clusterRolePath: string;
  readonly clusterRolesArn: string;

  constructor(scope: Construct, id: string, props: BrokerTaskProps) {
    super(scope, id);
    const { settings, segments } = props;
    const stack = Stack.of(this);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Fjord broker: pull its image, write its logs, read its secrets',
    });
    this.tokenSecretsArn = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${brokerSecretPrefix(stack.stackName)}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // ECS reads a task's secrets with the execution role when it starts the task; the broker itself never holds this permission.
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadBrokerTokens',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.tokenSecretsArn],
      }),
    );
    // The template task definition's role. Brokers run as their cluster's own role instead, so this one holds nothing.
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Fjord broker template: no permissions (each cluster runs as its own role)',
    });
    this.roleBoundary = this.segmentBoundary(segments);
    this.clusterRolePath = brokerRolePath(stack.stackName);
    this.clusterRolesArn = stack.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: `${this.clusterRolePath.slice(1)}fjord-broker-*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: BROKER_TASK_FAMILY,
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryMiB,
      // Fargate includes 20 GiB; asking for exactly 20 is rejected, so only larger sizes are set.
      ephemeralStorageGiB: settings.ephemeralStorageGiB > 20 ? settings.ephemeralStorageGiB : undefined,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      taskRole: this.taskRole,
      executionRole: this.executionRole,
    });

    this.image = ecs.ContainerImage.fromEcrRepository(props.repository, props.imageTag);
    this.taskDefinition.addContainer(BROKER_CONTAINER_NAME, {
      image: this.image,
      essential: true,
      portMappings: [{ containerPort: KAFKA_PORT, protocol: ecs.Protocol.TCP, name: 'kafka' }],
      environment: {
        NODE_ENV: 'production',
        FJORD_OBJECT_STORE: 's3',
        FJORD_S3_BUCKET: segments.bucket.bucketName,
        FJORD_S3_REGION: Stack.of(this).region,
        FJORD_S3_PREFIX: segments.prefix,
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'broker' }),
      // An init process as PID 1 forwards ECS's SIGTERM to node and reaps children, so a broker
      // stopped by the orchestrator closes its segments cleanly.
      linuxParameters: new ecs.LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true }),
    });
  }

  /**
   * The ceiling of every cluster's broker role: objects below the segment prefix and listing only
   * with that prefix. The control plane creates roles only with this boundary attached, and gives
   * each the narrower policy of its own cluster's prefix (packages/orchestrator, broker-roles.ts).
   */
  private segmentBoundary(segments: SegmentBucket): iam.ManagedPolicy {
    return new iam.ManagedPolicy(this, 'RoleBoundary', {
      description: 'Fjord broker roles: at most the segment prefix of the bucket (a permissions boundary)',
      statements: [
        new iam.PolicyStatement({
          sid: 'SegmentObjects',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [segments.objectsArn()],
        }),
        new iam.PolicyStatement({
          sid: 'ListSegmentPrefix',
          actions: ['s3:ListBucket'],
          resources: [segments.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${segments.prefix}*`] } },
        }),
      ],
    });
  }
}
