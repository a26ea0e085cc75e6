import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { logicalId, synthFjord } from './synth.ts';

// One synthesis for the whole file: building the template is the slow part.
const { stack, template } = synthFjord();

type Env = { Name: string; Value: unknown }[];

function containerOf(family: string) {
  const defs = Object.values(template.findResources('AWS::ECS::TaskDefinition', { Properties: { Family: family } }));
  expect(defs).toHaveLength(1);
  return defs[0].Properties.ContainerDefinitions[0];
}

function envOf(family: string): Map<string, unknown> {
  return new Map((containerOf(family).Environment as Env).map((e) => [e.Name, e.Value]));
}

describe('network', () => {
  it('builds a VPC with public, private and isolated subnets in two zones and one NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
  });

  it('lets Kafka clients and the control plane reach brokers on 9092 and brokers reach the control plane', () => {
    const brokerSg = logicalId(stack, stack.network.brokerSecurityGroup);
    const controlPlaneSg = logicalId(stack, stack.network.controlPlaneSecurityGroup);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Fjord brokers: Kafka protocol',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.0.0.0/8', FromPort: 9092, ToPort: 9092, IpProtocol: 'tcp' })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [brokerSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [controlPlaneSg, 'GroupId'] },
      FromPort: 9092,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [controlPlaneSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [brokerSg, 'GroupId'] },
      FromPort: 8080,
    });
  });
});

describe('database', () => {
  it('runs encrypted PostgreSQL in isolated subnets with a generated Secrets Manager secret', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: '20',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      DBName: 'fjord',
      DeletionProtection: true,
    });
    template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"fjord"}', GenerateStringKey: 'password' }),
    });
  });

  it('accepts connections only from the control plane', () => {
    const dbSg = logicalId(stack, stack.network.databaseSecurityGroup);
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [dbSg, 'GroupId'] } },
    });
    expect(Object.values(ingress).map((r) => r.Properties.SourceSecurityGroupId)).toEqual([
      { 'Fn::GetAtt': [logicalId(stack, stack.network.controlPlaneSecurityGroup), 'GroupId'] },
    ]);
  });
});

describe('segment bucket', () => {
  it('is encrypted, private, TLS-only, retained, and aborts incomplete multipart uploads', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })],
        },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('control plane', () => {
  it('runs at least two Fargate tasks in private subnets behind the load balancer', () => {
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
      LoadBalancers: [Match.objectLike({ ContainerName: 'control-plane', ContainerPort: 8080 })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
  });

  it('health-checks /healthz on the container port', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      TargetType: 'ip',
      HealthCheckPath: '/healthz',
      Matcher: { HttpCode: '200' },
    });
  });

  it('names the private DNS namespace brokers reach the control plane in', () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'fjord.internal' });
  });

  it('receives its production configuration as environment and the database login as secrets', () => {
    const env = envOf('fjord-control-plane');
    expect(Object.fromEntries([...env].filter(([, v]) => typeof v === 'string'))).toMatchObject({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '8080',
      DATABASE_NAME: 'fjord',
      FJORD_ORCHESTRATOR: 'ecs',
      FJORD_OBJECT_STORE: 's3',
      FJORD_S3_PREFIX: 'clusters/',
      FJORD_BROKER_TASK_FAMILY: 'fjord-broker',
      FJORD_BROKER_CONTAINER: 'broker',
      FJORD_ECS_ASSIGN_PUBLIC_IP: 'true',
      FJORD_INTERNAL_URL: 'http://control-plane.fjord.internal:8080',
      FJORD_ECS_SECRET_PREFIX: 'Fjord/brokers/',
      FJORD_ECS_BROKER_ROLE_PATH: '/fjord/Fjord/',
    });
    expect(env.get('FJORD_ECS_BROKER_ROLE_BOUNDARY_ARN')).toEqual({ Ref: logicalId(stack, stack.broker.roleBoundary) });
    const db = logicalId(stack, stack.database.instance);
    expect(env.get('DATABASE_HOST')).toEqual({ 'Fn::GetAtt': [db, 'Endpoint.Address'] });
    expect(env.get('DATABASE_PORT')).toEqual({ 'Fn::GetAtt': [db, 'Endpoint.Port'] });
    expect(env.get('FJORD_ECS_CLUSTER')).toEqual({ Ref: logicalId(stack, stack.cluster) });
    expect(env.get('FJORD_S3_BUCKET')).toEqual({ Ref: logicalId(stack, stack.segments.bucket) });
    expect(env.get('FJORD_ECS_SECURITY_GROUPS')).toEqual({
      'Fn::GetAtt': [logicalId(stack, stack.network.brokerSecurityGroup), 'GroupId'],
    });
    expect(env.get('FJORD_ECS_REGION')).toEqual({ Ref: 'AWS::Region' });
    expect(env.get('FJORD_TRUST_PROXY')).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.network.vpc), 'CidrBlock'] });
    expect(env.get('FJORD_ECS_BROKER_IMAGE')).toEqual(env.get('FJORD_BROKER_IMAGE'));
    for (const name of ['FJORD_ECS_SUBNETS', 'FJORD_BROKER_IMAGE', 'FJORD_PUBLIC_URL', 'FJORD_S3_REGION']) {
      expect(env.get(name), name).toBeDefined();
    }
    expect(env.has('DATABASE_URL')).toBe(false);
    expect(env.has('DATABASE_PASSWORD')).toBe(false);

    const secrets = containerOf('fjord-control-plane').Secrets as { Name: string; ValueFrom: unknown }[];
    expect(secrets.map((s) => s.Name).sort()).toEqual(['DATABASE_PASSWORD', 'DATABASE_USER', 'FJORD_SECRET_KEY']);
    expect(JSON.stringify(secrets)).toContain(':password::');
  });
});

describe('broker task definition', () => {
  it('is a Fargate task in the fjord-broker family exposing Kafka on 9092 with its own log group', () => {
    const container = containerOf('fjord-broker');
    expect(container.Name).toBe('broker');
    expect(container.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 9092, Protocol: 'tcp' })]);
    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    expect(container.LinuxParameters).toMatchObject({ InitProcessEnabled: true });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'fjord-broker',
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '512',
      Memory: '1024',
    });
  });

  it('passes its family, roles and networking to the control plane', () => {
    const env = envOf('fjord-control-plane');
    expect(env.get('FJORD_BROKER_TASK_DEFINITION')).toEqual({ Ref: logicalId(stack, stack.broker.taskDefinition) });
    expect(env.get('FJORD_ECS_TASK_ROLE_ARN')).toEqual({
      'Fn::GetAtt': [logicalId(stack, stack.broker.taskRole), 'Arn'],
    });
    expect(env.get('FJORD_ECS_EXECUTION_ROLE_ARN')).toEqual({
      'Fn::GetAtt': [logicalId(stack, stack.broker.executionRole), 'Arn'],
    });
    expect(env.get('FJORD_ECS_LOG_GROUP')).toEqual({ Ref: logicalId(stack, stack.broker.logGroup) });
    expect(env.get('FJORD_ECS_BROKER_CPU')).toBe('512');
    expect(env.get('FJORD_ECS_BROKER_MEMORY')).toBe('1024');
    const publicSubnets = stack.network.vpc.publicSubnets.map((s) => ({ Ref: logicalId(stack, s) }));
    expect(env.get('FJORD_ECS_SUBNETS')).toEqual({ 'Fn::Join': ['', [publicSubnets[0], ',', publicSubnets[1]]] });
  });
});

describe('logs', () => {
  it('keeps control plane and broker logs for 30 days', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 2);
  });
});

describe('context parameters', () => {
  it('size the tasks, database and network and choose image tags', () => {
    const sized = synthFjord({
      controlPlaneTasks: '3',
      controlPlaneCpu: '1024',
      controlPlaneMemoryMiB: '2048',
      brokerCpu: '2048',
      brokerMemoryMiB: '8192',
      brokerStorageGiB: '100',
      dbInstanceType: 'm7g.large',
      dbMultiAz: 'true',
      natGateways: '2',
      kafkaAllowedCidr: '203.0.113.0/24',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      publicUrl: 'https://fjord.example.com',
      brokerImageTag: 'v1.2.3',
    }).template;
    sized.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    sized.hasResourceProperties('AWS::ECS::TaskDefinition', { Family: 'fjord-control-plane', Cpu: '1024', Memory: '2048' });
    sized.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'fjord-broker',
      Cpu: '2048',
      Memory: '8192',
      EphemeralStorage: { SizeInGiB: 100 },
      ContainerDefinitions: [
        Match.objectLike({ Image: { 'Fn::Join': ['', Match.arrayWith(['/fjord/broker:v1.2.3'])] } }),
      ],
    });
    sized.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.m7g.large', MultiAZ: true });
    sized.resourceCountIs('AWS::EC2::NatGateway', 2);
    sized.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Fjord brokers: Kafka protocol',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '203.0.113.0/24', FromPort: 9092 })],
    });
    sized.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    sized.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect' })],
    });
    sized.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'fjord-control-plane',
      ContainerDefinitions: [
        Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'FJORD_PUBLIC_URL', Value: 'https://fjord.example.com' }]),
        }),
      ],
    });
  });
});
