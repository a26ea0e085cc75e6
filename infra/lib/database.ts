import { Duration, RemovalPolicy, aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { FjordSettings } from './settings.ts';

export const DATABASE_NAME = 'fjord';
const DATABASE_USER = 'fjord';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly settings: FjordSettings['database'];
}

/**
 * The control plane's PostgreSQL: a single RDS instance in isolated subnets. Its credentials are
 * generated into a Secrets Manager secret (JSON with username, password, host, port, dbname) that
 * the control plane's task receives as ECS secrets, never as plain environment.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { settings } = props;

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      instanceType: new ec2.InstanceType(settings.instanceType),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [props.securityGroup],
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_USER),
      allocatedStorage: settings.allocatedStorageGiB,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      multiAz: settings.multiAz,
      backupRetention: Duration.days(settings.backupRetentionDays),
      deletionProtection: settings.deletionProtection,
      // Tenants' organizations, keys and invoices live here: a stack deletion leaves a final snapshot.
      removalPolicy: RemovalPolicy.SNAPSHOT,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
    });
    if (!this.instance.secret) throw new Error('RDS instance was created without a generated secret');
    this.secret = this.instance.secret;
  }
}
