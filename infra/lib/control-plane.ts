import {
  ArnFormat,
  Duration,
  RemovalPolicy,
  Stack,
  aws_ec2 as ec2,
  aws_ecr as ecr,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_logs as logs,
  aws_servicediscovery as servicediscovery,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BROKER_CONTAINER_NAME, BROKER_TASK_FAMILY, brokerSecretPrefix, type BrokerTask } from './broker-task.ts';
import { DATABASE_NAME, type Database } from './database.ts';
import { CONTROL_PLANE_PORT, type Network } from './network.ts';
import { PUBLIC_PATHS } from './public-paths.ts';
import type { SegmentBucket } from './segment-bucket.ts';
import type { ServerSecret } from './server-secret.ts';
import type { FjordSettings } from './settings.ts';

/** Name brokers resolve in the VPC's private DNS to reach the control plane without the load balancer. */
const INTERNAL_SERVICE_NAME = 'control-plane';
const INTERNAL_NAMESPACE = 'fjord.internal';
const HEALTH_PATH = '/healthz';

export interface ControlPlaneProps {
  readonly cluster: ecs.Cluster;
  readonly network: Network;
  readonly database: Database;
  readonly segments: SegmentBucket;
  readonly broker: BrokerTask;
  readonly repository: ecr.IRepository;
  readonly serverSecret: ServerSecret;
  readonly settings: FjordSettings;
}

/**
 * The control plane: a stateless Fargate service of at least two tasks behind a public Application
 * Load Balancer, on the RDS database, launching brokers as ECS services through the ECS API.
 */
export class ControlPlane extends Construct {
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly taskRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly publicUrl: string;
  /** The URL brokers use for config pulls and usage pushes. */
  readonly internalUrl = `http://${INTERNAL_SERVICE_NAME}.${INTERNAL_NAMESPACE}:${CONTROL_PLANE_PORT}`;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    const { cluster, network, database, segments, broker, settings } = props;
    const vpc = network.vpc;

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: network.loadBalancerSecurityGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    });
    const scheme = settings.certificateArn ? 'https' : 'http';
    this.publicUrl = settings.publicUrl ?? `${scheme}://${this.loadBalancer.loadBalancerDnsName}`;
    const servedOverTls = this.publicUrl.startsWith('https://');

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Fjord control plane: pull its image, read the database secret, write its logs',
    });
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Fjord control plane: run brokers on ECS, manage tiered segments',
    });
    this.grantBrokerOrchestration(cluster, broker);
    this.grantSegmentAccess(segments);

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: 'fjord-control-plane',
      cpu: settings.controlPlane.cpu,
      memoryLimitMiB: settings.controlPlane.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      taskRole: this.taskRole,
      executionRole,
    });
    const brokerSubnets = vpc.selectSubnets({ subnetType: ec2.SubnetType.PUBLIC }).subnetIds;
    taskDefinition.addContainer('control-plane', {
      image: ecs.ContainerImage.fromEcrRepository(props.repository, settings.controlPlaneImageTag),
      essential: true,
      portMappings: [{ containerPort: CONTROL_PLANE_PORT, protocol: ecs.Protocol.TCP, name: 'http' }],
      environment: {
        NODE_ENV: 'production',
        HOST: '0.0.0.0',
        PORT: String(CONTROL_PLANE_PORT),
        // DATABASE_URL is composed by the control plane from these and the two secrets below,
        // so the password never appears in the task definition.
        DATABASE_HOST: database.instance.dbInstanceEndpointAddress,
        DATABASE_PORT: database.instance.dbInstanceEndpointPort,
        DATABASE_NAME,
        // RDS for PostgreSQL 15+ requires TLS; the image trusts the RDS CA bundle (NODE_EXTRA_CA_CERTS).
        DATABASE_SSLMODE: 'verify-full',
        FJORD_PUBLIC_URL: this.publicUrl,
        FJORD_SECURE_COOKIES: String(servedOverTls),
        // Requests arrive through the load balancer, whose nodes live in the VPC: the address it puts
        // in X-Forwarded-For is the client's, which the login and signup rate limits count by.
        FJORD_TRUST_PROXY: vpc.vpcCidrBlock,
        FJORD_INTERNAL_URL: this.internalUrl,
        // Read by the ECS orchestrator (packages/orchestrator, orchestratorConfigFromEnv).
        FJORD_ORCHESTRATOR: 'ecs',
        FJORD_ECS_CLUSTER: cluster.clusterName,
        FJORD_ECS_REGION: Stack.of(this).region,
        FJORD_ECS_SUBNETS: brokerSubnets.join(','),
        FJORD_ECS_SECURITY_GROUPS: network.brokerSecurityGroup.securityGroupId,
        FJORD_ECS_ASSIGN_PUBLIC_IP: 'true',
        FJORD_ECS_BROKER_IMAGE: broker.image.imageName,
        FJORD_ECS_TASK_ROLE_ARN: broker.taskRole.roleArn,
        FJORD_ECS_EXECUTION_ROLE_ARN: broker.executionRole.roleArn,
        FJORD_ECS_LOG_GROUP: broker.logGroup.logGroupName,
        FJORD_ECS_BROKER_CPU: String(settings.broker.cpu),
        FJORD_ECS_BROKER_MEMORY: String(settings.broker.memoryMiB),
        FJORD_ECS_SECRET_PREFIX: brokerSecretPrefix(Stack.of(this).stackName),
        FJORD_ECS_BROKER_ROLE_PATH: broker.clusterRolePath,
        FJORD_ECS_BROKER_ROLE_BOUNDARY_ARN: broker.roleBoundary.managedPolicyArn,
        // The broker task definition this stack registers, as a template for the orchestrator's own.
        FJORD_BROKER_TASK_FAMILY: BROKER_TASK_FAMILY,
        FJORD_BROKER_TASK_DEFINITION: broker.taskDefinition.taskDefinitionArn,
        FJORD_BROKER_CONTAINER: BROKER_CONTAINER_NAME,
        FJORD_BROKER_IMAGE: broker.image.imageName,
        FJORD_OBJECT_STORE: 's3',
        FJORD_S3_BUCKET: segments.bucket.bucketName,
        FJORD_S3_REGION: Stack.of(this).region,
        FJORD_S3_PREFIX: segments.prefix,
      },
      secrets: {
        DATABASE_USER: ecs.Secret.fromSecretsManager(database.secret, 'username'),
        DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(database.secret, 'password'),
        FJORD_SECRET_KEY: ecs.Secret.fromSecretsManager(props.serverSecret.secret),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'control-plane' }),
      linuxParameters: new ecs.LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true }),
    });

    const namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      name: INTERNAL_NAMESPACE,
      vpc,
      description: 'Fjord internal names (brokers reach the control plane here)',
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: settings.controlPlane.tasks,
      minHealthyPercent: 50,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [network.controlPlaneSecurityGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      healthCheckGracePeriod: Duration.seconds(60),
      cloudMapOptions: {
        cloudMapNamespace: namespace,
        name: INTERNAL_SERVICE_NAME,
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
      },
    });

    const targets = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc,
      port: CONTROL_PLANE_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: HEALTH_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    this.addListeners(targets, settings.certificateArn);
  }

  /**
   * HTTPS on 443 with port 80 only redirecting to it; plain HTTP on 80 only when the deployer asked
   * for it (`insecureHttp`). Either way the public listener forwards the public API's paths alone
   * and answers 404 to everything else: the broker-facing /internal API, in any spelling (case,
   * percent-encoding, extra slashes or segments), is reached over the private name only.
   */
  private addListeners(targets: elbv2.ApplicationTargetGroup, certificateArn: string | undefined): void {
    const notFound = elbv2.ListenerAction.fixedResponse(404, {
      contentType: 'application/problem+json',
      messageBody: JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }),
    });
    const listener = certificateArn
      ? this.loadBalancer.addListener('Https', {
          port: 443,
          protocol: elbv2.ApplicationProtocol.HTTPS,
          certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)],
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          defaultAction: notFound,
          open: false,
        })
      : this.loadBalancer.addListener('Http', {
          port: 80,
          protocol: elbv2.ApplicationProtocol.HTTP,
          defaultAction: notFound,
          open: false,
        });
    if (certificateArn) {
      this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });
    }
    listener.addAction('PublicApi', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns([...PUBLIC_PATHS])],
      action: elbv2.ListenerAction.forward([targets]),
    });
  }

  /**
   * Least privilege for the ECS orchestrator: tasks and services only in this cluster, task
   * definitions only in the broker family, and only the broker's two roles may be passed.
   */
  private grantBrokerOrchestration(cluster: ecs.Cluster, broker: BrokerTask): void {
    const stack = Stack.of(this);
    const ecsArn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ecs', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    // The stack's own family and the orchestrator's per-cluster families (fjord-broker-<clusterId>).
    const brokerTaskDefinitions = [
      ecsArn('task-definition', `${BROKER_TASK_FAMILY}:*`),
      ecsArn('task-definition', `${BROKER_TASK_FAMILY}-*:*`),
    ];
    // The orchestrator names broker services fjord-<clusterId>-<nodeId>.
    const services = ecsArn('service', `${cluster.clusterName}/fjord-*`);
    const tasks = ecsArn('task', `${cluster.clusterName}/*`);
    const inCluster = { ArnEquals: { 'ecs:cluster': cluster.clusterArn } };

    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RunBrokerTasks',
        actions: ['ecs:RunTask'],
        resources: brokerTaskDefinitions,
        conditions: inCluster,
      }),
    );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ManageBrokerTasks',
        actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
        resources: [tasks],
      }),
    );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ManageBrokerServices',
        actions: ['ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService', 'ecs:DescribeServices'],
        resources: [services],
      }),
    );
    // Broker services carry their cluster id and config hash as tags, set on creation and
    // updated when the config changes.
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TagBrokerResources',
        actions: ['ecs:TagResource'],
        resources: [services, tasks, ...brokerTaskDefinitions],
      }),
    );
    // Exception required by AWS: RegisterTaskDefinition, DeregisterTaskDefinition and
    // DescribeTaskDefinition support no resource-level permissions, so they take "*" (still an
    // open request: github.com/aws/containers-roadmap/issues/929). What a registered definition
    // can do is bounded by iam:PassRole below: only the broker's roles can be attached.
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'BrokerTaskDefinitions',
        actions: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition'],
        resources: ['*'],
      }),
    );
    // Exception required by AWS: the List* calls take no resource ARN; the ecs:cluster condition
    // still confines them to this cluster.
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListBrokersInCluster',
        actions: ['ecs:ListTasks', 'ecs:ListServices'],
        resources: ['*'],
        conditions: inCluster,
      }),
    );
    // Each cluster's broker token lives in its own secret, made when its broker first starts and deleted with the cluster.
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ManageBrokerTokens',
        actions: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret', 'secretsmanager:TagResource'],
        resources: [broker.tokenSecretsArn],
      }),
    );
    // A role per cluster, so a broker reaches only its own cluster's segments. Creating roles is safe
    // only with the boundary attached: a role made here can never exceed the segment prefix.
    const withBoundary = { StringEquals: { 'iam:PermissionsBoundary': broker.roleBoundary.managedPolicyArn } };
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CreateClusterBrokerRoles',
        actions: ['iam:CreateRole', 'iam:PutRolePolicy'],
        resources: [broker.clusterRolesArn],
        conditions: withBoundary,
      }),
    );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RetireClusterBrokerRoles',
        actions: ['iam:TagRole', 'iam:DeleteRolePolicy', 'iam:DeleteRole'],
        resources: [broker.clusterRolesArn],
      }),
    );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassBrokerRolesOnly',
        actions: ['iam:PassRole'],
        resources: [broker.taskRole.roleArn, broker.executionRole.roleArn, broker.clusterRolesArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
  }

  /**
   * The control plane reads what brokers tiered (sizes for billing) and deletes a cluster's prefix
   * with the cluster; writing segments is the brokers' job alone.
   */
  private grantSegmentAccess(segments: SegmentBucket): void {
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SegmentObjects',
        actions: ['s3:GetObject', 's3:DeleteObject'],
        resources: [segments.objectsArn()],
      }),
    );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListSegments',
        actions: ['s3:ListBucket'],
        resources: [segments.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${segments.prefix}*`] } },
      }),
    );
  }
}
