import { RemovalPolicy, Stack, type StackProps, aws_ecr as ecr } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export const CONTROL_PLANE_REPOSITORY = 'fjord/control-plane';
export const BROKER_REPOSITORY = 'fjord/broker';

/**
 * The two image repositories. They are a stack of their own because images must be pushed
 * before the services that run them are deployed (see docs/deploying-aws.md).
 */
export class FjordImagesStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    for (const [construct, repositoryName] of [
      ['ControlPlane', CONTROL_PLANE_REPOSITORY],
      ['Broker', BROKER_REPOSITORY],
    ] as const) {
      new ecr.Repository(this, construct, {
        repositoryName,
        imageScanOnPush: true,
        lifecycleRules: [{ description: 'keep the last 20 images', maxImageCount: 20 }],
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
  }
}
