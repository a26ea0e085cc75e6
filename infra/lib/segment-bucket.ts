import { Duration, RemovalPolicy, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { FjordSettings } from './settings.ts';

/**
 * The bucket tiered segments live in. Brokers upload closed segments under
 * `<segmentPrefix><clusterId>/`; the control plane deletes that prefix with the cluster.
 */
export class SegmentBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly prefix: string;

  constructor(scope: Construct, id: string, settings: Pick<FjordSettings, 'segmentPrefix' | 'abortIncompleteUploadsAfterDays'>) {
    super(scope, id);
    this.prefix = settings.segmentPrefix;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // Segments are written once and deleted by retention; versions would keep paying for deleted data.
      versioned: false,
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(settings.abortIncompleteUploadsAfterDays),
        },
      ],
      // Customers' data: deleting the stack must not delete it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** ARN pattern of every object below the segment prefix. */
  objectsArn(): string {
    return this.bucket.arnForObjects(`${this.prefix}*`);
  }
}
