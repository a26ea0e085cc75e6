// Deployment settings: every size, tag and address a deployer may change, with the defaults the
// cost estimate in docs/deploying-aws.md is computed for. They arrive as CDK context
// (`cdk synth -c controlPlaneTasks=3`, or the "context" block of cdk.json), so values may be strings.

export interface FjordSettings {
  /** AWS region; when absent the stack stays environment-agnostic and deploys to the CLI's region. */
  readonly region?: string;
  readonly controlPlaneImageTag: string;
  readonly brokerImageTag: string;
  readonly controlPlane: {
    /** Fargate CPU units (1024 = 1 vCPU). */
    readonly cpu: number;
    readonly memoryMiB: number;
    readonly tasks: number;
  };
  readonly broker: {
    readonly cpu: number;
    readonly memoryMiB: number;
    /** Task-local disk for hot segments; Fargate includes 20 GiB, up to 200 GiB may be asked for. */
    readonly ephemeralStorageGiB: number;
  };
  readonly database: {
    readonly instanceType: string;
    readonly allocatedStorageGiB: number;
    readonly multiAz: boolean;
    readonly backupRetentionDays: number;
    readonly deletionProtection: boolean;
  };
  readonly network: {
    readonly maxAzs: number;
    readonly natGateways: number;
    /** Who may reach the console and REST API on the load balancer. */
    readonly apiAllowedCidr: string;
    /**
     * Who may open Kafka connections to brokers (port 9092). The default is the private range
     * 10.0.0.0/8 (the VPC, peered VPCs, a VPN); clients on the internet need it set explicitly.
     */
    readonly kafkaAllowedCidr: string;
  };
  /** ACM certificate for HTTPS on the load balancer; required unless `insecureHttp` is set. */
  readonly certificateArn?: string;
  /** Serve the API over plain HTTP on port 80, for a throwaway test deployment only (`-c insecureHttp=true`). */
  readonly insecureHttp: boolean;
  /** The address users reach the control plane at (a DNS name pointing at the load balancer). */
  readonly publicUrl?: string;
  readonly logRetentionDays: number;
  /** Where tiered segments live in the bucket; each cluster writes below `<prefix><clusterId>/`. */
  readonly segmentPrefix: string;
  readonly abortIncompleteUploadsAfterDays: number;
}

/** The documented default of `kafkaAllowedCidr`: private addresses only, never the whole internet. */
export const PRIVATE_KAFKA_CIDR = '10.0.0.0/8';

export const defaultSettings: FjordSettings = {
  controlPlaneImageTag: 'latest',
  brokerImageTag: 'latest',
  controlPlane: { cpu: 512, memoryMiB: 1024, tasks: 2 },
  broker: { cpu: 512, memoryMiB: 1024, ephemeralStorageGiB: 20 },
  database: {
    instanceType: 't4g.micro',
    allocatedStorageGiB: 20,
    multiAz: false,
    backupRetentionDays: 7,
    deletionProtection: true,
  },
  network: { maxAzs: 2, natGateways: 1, apiAllowedCidr: '0.0.0.0/0', kafkaAllowedCidr: PRIVATE_KAFKA_CIDR },
  insecureHttp: false,
  logRetentionDays: 30,
  segmentPrefix: 'clusters/',
  abortIncompleteUploadsAfterDays: 1,
};

/** Valid Fargate task sizes: CPU units -> allowed memory in MiB. */
const fargateMemory: Record<number, (memoryMiB: number) => boolean> = {
  256: (m) => [512, 1024, 2048].includes(m),
  512: (m) => m >= 1024 && m <= 4096 && m % 1024 === 0,
  1024: (m) => m >= 2048 && m <= 8192 && m % 1024 === 0,
  2048: (m) => m >= 4096 && m <= 16384 && m % 1024 === 0,
  4096: (m) => m >= 8192 && m <= 30720 && m % 1024 === 0,
};

export class SettingsError extends Error {
  constructor(key: string, value: unknown, expected: string) {
    super(`Invalid context value ${key}=${String(value)}: expected ${expected}`);
    this.name = 'SettingsError';
  }
}

type ContextReader = (key: string) => unknown;

/** Reads the settings from CDK context, falling back to the defaults for every absent key. */
export function settingsFromContext(read: ContextReader): FjordSettings {
  const d = defaultSettings;
  const settings: FjordSettings = {
    region: optionalString(read, 'region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1'),
    controlPlaneImageTag: string(read, 'controlPlaneImageTag', d.controlPlaneImageTag, imageTag, 'an image tag'),
    brokerImageTag: string(read, 'brokerImageTag', d.brokerImageTag, imageTag, 'an image tag'),
    controlPlane: {
      cpu: integer(read, 'controlPlaneCpu', d.controlPlane.cpu, 256, 4096),
      memoryMiB: integer(read, 'controlPlaneMemoryMiB', d.controlPlane.memoryMiB, 512, 30720),
      // Two tasks at least: the control plane is stateless behind the load balancer and a single
      // task would make every deploy or task failure an outage.
      tasks: integer(read, 'controlPlaneTasks', d.controlPlane.tasks, 2, 100),
    },
    broker: {
      cpu: integer(read, 'brokerCpu', d.broker.cpu, 256, 4096),
      memoryMiB: integer(read, 'brokerMemoryMiB', d.broker.memoryMiB, 512, 30720),
      ephemeralStorageGiB: integer(read, 'brokerStorageGiB', d.broker.ephemeralStorageGiB, 20, 200),
    },
    database: {
      instanceType: string(read, 'dbInstanceType', d.database.instanceType, /^[a-z0-9]+\.[a-z0-9]+$/, 'an instance type such as t4g.micro'),
      allocatedStorageGiB: integer(read, 'dbStorageGiB', d.database.allocatedStorageGiB, 20, 65536),
      multiAz: boolean(read, 'dbMultiAz', d.database.multiAz),
      backupRetentionDays: integer(read, 'dbBackupRetentionDays', d.database.backupRetentionDays, 0, 35),
      deletionProtection: boolean(read, 'dbDeletionProtection', d.database.deletionProtection),
    },
    network: {
      maxAzs: integer(read, 'maxAzs', d.network.maxAzs, 2, 6),
      natGateways: integer(read, 'natGateways', d.network.natGateways, 1, 6),
      apiAllowedCidr: string(read, 'apiAllowedCidr', d.network.apiAllowedCidr, ipv4Cidr, 'an IPv4 CIDR'),
      kafkaAllowedCidr: string(read, 'kafkaAllowedCidr', d.network.kafkaAllowedCidr, ipv4Cidr, 'an IPv4 CIDR'),
    },
    certificateArn: optionalString(read, 'certificateArn', /^arn:aws[a-z-]*:acm:/, 'an ACM certificate ARN'),
    insecureHttp: boolean(read, 'insecureHttp', d.insecureHttp),
    publicUrl: optionalString(read, 'publicUrl', /^https?:\/\/[^\s/]+$/, 'an origin such as https://fjord.example.com'),
    logRetentionDays: retentionDays(read, 'logRetentionDays', d.logRetentionDays),
    segmentPrefix: d.segmentPrefix,
    abortIncompleteUploadsAfterDays: integer(
      read,
      'abortIncompleteUploadsAfterDays',
      d.abortIncompleteUploadsAfterDays,
      1,
      365,
    ),
  };
  if (!settings.certificateArn && !settings.insecureHttp) {
    throw new SettingsError(
      'certificateArn',
      '(unset)',
      'an ACM certificate ARN: the API is served over HTTPS only (-c insecureHttp=true serves plain HTTP, for a test deployment)',
    );
  }
  checkFargateSize('controlPlane', settings.controlPlane.cpu, settings.controlPlane.memoryMiB);
  checkFargateSize('broker', settings.broker.cpu, settings.broker.memoryMiB);
  return settings;
}

const imageTag = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const ipv4Cidr = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

function checkFargateSize(prefix: string, cpu: number, memoryMiB: number): void {
  const fits = fargateMemory[cpu];
  if (!fits) throw new SettingsError(`${prefix}Cpu`, cpu, 'one of 256, 512, 1024, 2048, 4096');
  if (!fits(memoryMiB)) {
    throw new SettingsError(`${prefix}MemoryMiB`, memoryMiB, `a Fargate memory size that goes with ${cpu} CPU units`);
  }
}

function optionalString(read: ContextReader, key: string, pattern: RegExp, expected: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new SettingsError(key, value, expected);
  return value;
}

function string(read: ContextReader, key: string, fallback: string, pattern: RegExp, expected: string): string {
  return optionalString(read, key, pattern, expected) ?? fallback;
}

function integer(read: ContextReader, key: string, fallback: number, min: number, max: number): number {
  const value = read(key);
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new SettingsError(key, value, `an integer from ${min} to ${max}`);
  return n;
}

/** The retention periods CloudWatch Logs accepts. */
const logRetentionChoices = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function retentionDays(read: ContextReader, key: string, fallback: number): number {
  const days = integer(read, key, fallback, 1, 3653);
  if (!logRetentionChoices.includes(days)) throw new SettingsError(key, days, `one of ${logRetentionChoices.join(', ')}`);
  return days;
}

function boolean(read: ContextReader, key: string, fallback: boolean): boolean {
  const value = read(key);
  if (value === undefined || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SettingsError(key, value, 'true or false');
}
