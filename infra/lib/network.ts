import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { FjordSettings } from './settings.ts';

export const CONTROL_PLANE_PORT = 8080;
export const KAFKA_PORT = 9092;
const POSTGRES_PORT = 5432;

/**
 * The VPC and the security groups that say who talks to whom:
 * clients -> load balancer -> control plane -> database; clients -> brokers (Kafka);
 * brokers -> control plane (config pull, usage push); control plane -> brokers (Kafka Admin protocol).
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  readonly controlPlaneSecurityGroup: ec2.SecurityGroup;
  readonly brokerSecurityGroup: ec2.SecurityGroup;
  readonly databaseSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, settings: FjordSettings) {
    super(scope, id);
    const { maxAzs, natGateways, apiAllowedCidr, kafkaAllowedCidr } = settings.network;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs,
      natGateways,
      subnetConfiguration: [
        // Load balancer and brokers: brokers take a public IP so Kafka clients outside the VPC can
        // reach the address each broker advertises.
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 },
        // Control plane tasks: egress through NAT for ECR, Secrets Manager, ECS and S3 APIs.
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    // Segment traffic to S3 would otherwise pay NAT data processing per GB; the gateway endpoint is free.
    this.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });

    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: this.vpc,
      description: 'Fjord load balancer: console and REST API',
      allowAllOutbound: false,
    });
    this.controlPlaneSecurityGroup = new ec2.SecurityGroup(this, 'ControlPlaneSecurityGroup', {
      vpc: this.vpc,
      description: 'Fjord control plane tasks',
    });
    this.brokerSecurityGroup = new ec2.SecurityGroup(this, 'BrokerSecurityGroup', {
      vpc: this.vpc,
      description: 'Fjord brokers: Kafka protocol',
    });
    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      description: 'Fjord PostgreSQL',
      allowAllOutbound: false,
    });

    const api = ec2.Peer.ipv4(apiAllowedCidr);
    this.loadBalancerSecurityGroup.addIngressRule(api, ec2.Port.tcp(80), 'HTTP from API clients');
    if (settings.certificateArn) {
      this.loadBalancerSecurityGroup.addIngressRule(api, ec2.Port.tcp(443), 'HTTPS from API clients');
    }
    this.loadBalancerSecurityGroup.addEgressRule(
      this.controlPlaneSecurityGroup,
      ec2.Port.tcp(CONTROL_PLANE_PORT),
      'to control plane tasks',
    );

    this.controlPlaneSecurityGroup.addIngressRule(
      this.loadBalancerSecurityGroup,
      ec2.Port.tcp(CONTROL_PLANE_PORT),
      'from the load balancer',
    );
    this.controlPlaneSecurityGroup.addIngressRule(
      this.brokerSecurityGroup,
      ec2.Port.tcp(CONTROL_PLANE_PORT),
      'brokers pull config and push usage',
    );

    this.brokerSecurityGroup.addIngressRule(ec2.Peer.ipv4(kafkaAllowedCidr), ec2.Port.tcp(KAFKA_PORT), 'Kafka clients');
    this.brokerSecurityGroup.addIngressRule(
      this.controlPlaneSecurityGroup,
      ec2.Port.tcp(KAFKA_PORT),
      'control plane Kafka Admin calls',
    );

    this.databaseSecurityGroup.addIngressRule(
      this.controlPlaneSecurityGroup,
      ec2.Port.tcp(POSTGRES_PORT),
      'PostgreSQL from the control plane',
    );
  }
}
