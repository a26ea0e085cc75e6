import { CfnOutput, Stack, type StackProps, aws_ecr as ecr, aws_ecs as ecs } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { BrokerTask } from './broker-task.ts';
import { ControlPlane } from './control-plane.ts';
import { Database } from './database.ts';
import { BROKER_REPOSITORY, CONTROL_PLANE_REPOSITORY } from './images-stack.ts';
import { Network } from './network.ts';
import { SegmentBucket } from './segment-bucket.ts';
import { ServerSecret } from './server-secret.ts';
import type { FjordSettings } from './settings.ts';

export interface FjordStackProps extends StackProps {
  readonly settings: FjordSettings;
}

/** Fjord on AWS: VPC, PostgreSQL, segment bucket, ECS cluster, control plane and broker task definition. */
export class FjordStack extends Stack {
  readonly network: Network;
  readonly database: Database;
  readonly segments: SegmentBucket;
  readonly cluster: ecs.Cluster;
  readonly broker: BrokerTask;
  readonly serverSecret: ServerSecret;
  readonly controlPlane: ControlPlane;

  constructor(scope: Construct, id: string, props: FjordStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.network = new Network(this, 'Network', settings);
    this.database = new Database(this, 'Database', {
      vpc: this.network.vpc,
      securityGroup: this.network.databaseSecurityGroup,
      settings: settings.database,
    });
    this.segments = new SegmentBucket(this, 'Segments', settings);
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: this.network.vpc });

    this.broker = new BrokerTask(this, 'Broker', {
      repository: ecr.Repository.fromRepositoryName(this, 'BrokerRepository', BROKER_REPOSITORY),
      imageTag: settings.brokerImageTag,
      segments: this.segments,
      settings: settings.broker,
      logRetentionDays: settings.logRetentionDays,
    });
    this.serverSecret = new ServerSecret(this, 'ServerSecret');
    this.controlPlane = new ControlPlane(this, 'ControlPlane', {
      cluster: this.cluster,
      network: this.network,
      database: this.database,
      segments: this.segments,
      broker: this.broker,
      repository: ecr.Repository.fromRepositoryName(this, 'ControlPlaneRepository', CONTROL_PLANE_REPOSITORY),
      serverSecret: this.serverSecret,
      settings,
    });

    new CfnOutput(this, 'PublicUrl', { value: this.controlPlane.publicUrl });
    new CfnOutput(this, 'LoadBalancerDnsName', { value: this.controlPlane.loadBalancer.loadBalancerDnsName });
    new CfnOutput(this, 'SegmentBucketName', { value: this.segments.bucket.bucketName });
    new CfnOutput(this, 'EcsClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'DatabaseSecretArn', { value: this.database.secret.secretArn });
    new CfnOutput(this, 'ServerSecretArn', { value: this.serverSecret.secret.secretArn });
  }
}
