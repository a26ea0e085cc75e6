import path from 'node:path';
import * as z from 'zod';
import { tieringPolicySchema } from './cluster-config.ts';
import { credentialSchema } from './credentials.ts';

const hostPort = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
});

const logSchema = z.object({
  segmentBytes: z.number().int().min(1024).default(134_217_728),
  segmentMs: z.number().int().positive().default(604_800_000),
  retentionMs: z.number().int().min(-1).default(604_800_000),
  retentionBytes: z.number().int().min(-1).default(-1),
  flush: z.enum(['every-write', 'interval', 'none']).default('every-write'),
  flushIntervalMs: z.number().int().positive().default(1000),
  retentionCheckIntervalMs: z.number().int().positive().default(60_000),
  /** How often compacted topics are cleaned (a pass over an unchanged log costs nothing). */
  cleanerIntervalMs: z.number().int().positive().default(15_000),
});

const limitsSchema = z.object({
  maxPartitions: z.number().int().positive().default(1000),
  maxMessageBytes: z.number().int().positive().default(1_048_576),
  /** Largest request frame accepted; a bigger size prefix closes the connection. */
  maxRequestBytes: z.number().int().positive().default(100 * 1024 * 1024),
  /** Largest frame accepted before SASL authentication: a login needs a few hundred bytes, so strangers cannot make the broker allocate more. */
  maxPreAuthRequestBytes: z.number().int().min(64).default(4096),
  /** A connection not authenticated this long after it was accepted is closed. */
  authDeadlineMs: z.number().int().positive().default(10_000),
  /** Connections the broker holds at once when no control plane sends the cluster's `quotas.maxConnections`. */
  maxConnections: z.number().int().positive().default(1000),
  /** Connections one client address may hold at once. */
  maxConnectionsPerIp: z.number().int().positive().default(500),
  /** The answer to a failed login is delayed this long, doubling with each further failure of the client address or key. */
  failedLoginDelayMs: z.number().int().min(0).default(100),
  maxFailedLoginDelayMs: z.number().int().min(0).default(5000),
  /** An address or key with no failed login for this long starts again from `failedLoginDelayMs`. */
  failedLoginResetMs: z.number().int().positive().default(60_000),
  /** Samples of the window produce and fetch byte rates are measured over (Kafka's `quota.window.num`). */
  quotaWindowSamples: z.number().int().min(2).default(11),
  /** Length of one sample (Kafka's `quota.window.size.seconds`, in ms). */
  quotaSampleMs: z.number().int().positive().default(1000),
});

/** KIP-848 consumer groups (ConsumerGroupHeartbeat), with Kafka's broker defaults. */
const groupsSchema = z.object({
  /** Kafka's `group.consumer.session.timeout.ms`: a member that sends no heartbeat this long is removed from its group. */
  consumerSessionTimeoutMs: z.number().int().positive().default(45_000),
  /** Kafka's `group.consumer.heartbeat.interval.ms`, the interval members are told to heartbeat at. */
  consumerHeartbeatIntervalMs: z.number().int().positive().default(5_000),
});

/** Usage metering: sampled into an on-disk spool, then pushed to the control plane's `POST /internal/usage`. */
const meteringSchema = z.object({
  /** Off only for benchmarks that compare; a broker without `controlPlane` meters nothing either way. */
  enabled: z.boolean().default(true),
  /** How often traffic counters and storage gauges become samples in the spool. */
  sampleIntervalMs: z.number().int().positive().default(5_000),
  /** Samples per report (the contract allows 10,000). */
  maxSamplesPerReport: z.number().int().min(1).max(10_000).default(2_000),
});

/**
 * The listener's certificate (chain, leaf first) and private key, as PEM. Clients then speak TLS
 * (SASL_SSL); without it the listener is plaintext, which only a broker run alone for development uses.
 */
const tlsSchema = z
  .object({
    certPem: z.string().includes('-----BEGIN CERTIFICATE-----'),
    keyPem: z.string().includes('PRIVATE KEY-----'),
  })
  .strict();

/** Where the broker pulls its cluster config from, and how eagerly. */
const controlPlaneSchema = z.object({
  url: z.url(),
  /** The cluster's broker token, sent as `Authorization: Bearer`. */
  token: z.string().min(1),
  /** How long one long poll for a config change may wait at the control plane. */
  waitMs: z.number().int().min(0).max(60_000).default(20_000),
  /** Pause before trying again after a failed poll (doubling up to 10x while it keeps failing). */
  retryMs: z.number().int().positive().default(1_000),
  /** Least time between two refreshes a login with an unknown key asks for, so a flood of bad logins cannot hammer the control plane. */
  refreshIntervalMs: z.number().int().min(0).default(250),
  /** How often the broker posts its current use (brokerStatusSchema) to the control plane. */
  statusIntervalMs: z.number().int().positive().default(5_000),
});

/**
 * Where the broker keeps tiered segments: a filesystem store (the embedded default, `FJORD_OBJECT_STORE=fs`)
 * or an S3 bucket (`s3`; credentials from the SDK's chain, never in this config). `prefix` comes before
 * the cluster's own prefix (FJORD_S3_PREFIX).
 */
const objectStoreSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fs'), root: z.string().min(1).refine(path.isAbsolute, 'must be an absolute path'), prefix: z.string().default('') }).strict(),
  z
    .object({
      kind: z.literal('s3'),
      bucket: z.string().min(1),
      region: z.string().min(1),
      endpoint: z.url().optional(),
      forcePathStyle: z.boolean().optional(),
      requestChecksumCalculation: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).optional(),
      responseChecksumValidation: z.enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).optional(),
      prefix: z.string().default(''),
    })
    .strict(),
]);

/** The tiering agent: where segments go, how often it looks, how it backs off, and the remote read cache. */
const tieringSchema = z
  .object({
    objectStore: objectStoreSchema,
    /** The policy of a broker run without a control plane; the cluster config's `tiering` wins when there is one. */
    policy: tieringPolicySchema.optional(),
    /** Pause between two passes over the partitions. */
    intervalMs: z.number().int().positive().default(5_000),
    /** First pause after a failed upload, doubling per failure up to `maxRetryMs`. */
    retryMs: z.number().int().positive().default(1_000),
    maxRetryMs: z.number().int().positive().default(60_000),
    /** Disk the remote read cache may use, under `<dataDir>/remote-cache`. */
    readCacheBytes: z.number().int().positive().default(256 * 1024 * 1024),
  })
  .strict();

/**
 * The broker process config: the file given with `--config`, or the JSON in
 * `FJORD_BROKER_CONFIG_JSON`. Strict, so a misspelt field stops the broker instead of being ignored.
 */
export const brokerConfigSchema = z
  .object({
    clusterId: z.string().min(1),
    nodeId: z.number().int().min(0),
    listen: hostPort,
    advertised: hostPort.optional(),
    dataDir: z.string().min(1).refine(path.isAbsolute, 'must be an absolute path'),
    auth: z.enum(['none', 'sasl_plain']),
    tls: tlsSchema.optional(),
    /** Fixed credentials, for brokers run without a control plane. */
    credentials: z.array(credentialSchema).default([]),
    controlPlane: controlPlaneSchema.optional(),
    log: logSchema.default(logSchema.parse({})),
    limits: limitsSchema.default(limitsSchema.parse({})),
    metering: meteringSchema.default(meteringSchema.parse({})),
    groups: groupsSchema.default(groupsSchema.parse({})),
    autoCreateTopics: z.boolean().default(false),
    /** Without it nothing is tiered, whatever the policy says. */
    tiering: tieringSchema.optional(),
  })
  .strict();

/** The config as the broker uses it, defaults filled in. */
export type BrokerConfig = z.output<typeof brokerConfigSchema>;
/** The config as written for a broker: defaults may be left out. */
export type BrokerConfigInput = z.input<typeof brokerConfigSchema>;
/** What the control plane decides for a broker; the orchestrator adds where it runs (`dataDir`, `listen`) and who it is. */
export type BrokerSettings = Omit<BrokerConfigInput, 'clusterId' | 'nodeId' | 'listen' | 'dataDir'>;
export type LogDefaults = BrokerConfig['log'];
export type BrokerTls = z.output<typeof tlsSchema>;
export type BrokerTiering = z.output<typeof tieringSchema>;
export type BrokerObjectStore = z.output<typeof objectStoreSchema>;
