import { z } from 'zod';
import { Id } from './common.ts';
import { page } from './pagination.ts';

/** Kafka's topic name rules: ASCII letters, digits, `.`, `_` and `-`, 1 to 249 characters, not `.` or `..`. */
export const TopicName = z
  .string()
  .min(1)
  .max(249)
  .regex(/^[a-zA-Z0-9._-]+$/, 'May contain only ASCII letters, digits, ".", "_" and "-"')
  .refine((name) => name !== '.' && name !== '..', 'Cannot be "." or ".."')
  .describe('Topic name, as in Kafka: [a-zA-Z0-9._-]{1,249}, not "." or ".."');

const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A config value as Kafka takes it (a string); numbers and booleans are accepted and written as strings. */
const configValue = (check: (value: string) => boolean, message: string) =>
  z
    .union([z.string(), z.number(), z.boolean()])
    .transform((value) => String(value))
    .refine(check, message)
    .describe(message);

const long = (min: bigint, max = LONG_MAX) =>
  configValue((v) => /^-?\d{1,19}$/.test(v) && BigInt(v) >= min && BigInt(v) <= max, `An integer from ${min} to ${max}`);
const int = (min: number) => long(BigInt(min), BigInt(INT_MAX));
const oneOf = (...values: string[]) => configValue((v) => values.includes(v), `One of ${values.join(', ')}`);
const ratio = configValue((v) => /^\d+(\.\d+)?$/.test(v) && Number(v) <= 1, 'A number from 0 to 1');

/**
 * Topic configs Fjord accepts, each with Kafka's own bounds. The cluster has the final word (a value
 * Kafka allows may still be one this cluster refuses); keys outside this list are refused up front.
 */
export const topicConfigSchemas = {
  'cleanup.policy': oneOf('delete', 'compact', 'delete,compact', 'compact,delete'),
  'compression.type': oneOf('producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'),
  'delete.retention.ms': long(0n),
  'file.delete.delay.ms': long(0n),
  'local.retention.bytes': long(-2n),
  'local.retention.ms': long(-2n),
  'max.compaction.lag.ms': long(1n),
  'max.message.bytes': int(0),
  'message.timestamp.type': oneOf('CreateTime', 'LogAppendTime'),
  'min.cleanable.dirty.ratio': ratio,
  'min.compaction.lag.ms': long(0n),
  'min.insync.replicas': int(1),
  'retention.bytes': long(-1n),
  'retention.ms': long(-1n),
  'segment.bytes': int(14),
  'segment.ms': long(1n),
} as const;

export type TopicConfigName = keyof typeof topicConfigSchemas;
export const topicConfigNames = Object.keys(topicConfigSchemas) as TopicConfigName[];

const configShape = <T extends z.ZodType>(wrap: (schema: (typeof topicConfigSchemas)[TopicConfigName]) => T) =>
  Object.fromEntries(Object.entries(topicConfigSchemas).map(([key, schema]) => [key, wrap(schema)])) as {
    [K in TopicConfigName]: T;
  };

/** Configs to set on a new topic. */
export const TopicConfigs = z
  .object(configShape((schema) => schema.optional()))
  .strict()
  .describe('Topic-level configs (Kafka names and units); unknown keys are refused')
  .meta({ id: 'TopicConfigs' });
export type TopicConfigs = z.input<typeof TopicConfigs>;

/** Config changes: a value sets the override, null removes it (back to the cluster default). */
export const TopicConfigChanges = z
  .object(configShape((schema) => schema.nullable().optional()))
  .strict()
  .describe('A value sets a topic config; null removes the override so the cluster default applies')
  .meta({ id: 'TopicConfigChanges' });
export type TopicConfigChanges = z.input<typeof TopicConfigChanges>;

export const ClusterTopicsParams = z.object({ id: Id }).strict();
export const TopicParams = z.object({ id: Id, name: TopicName }).strict();

export const CreateTopicRequest = z
  .object({
    name: TopicName,
    partitions: z.number().int().min(1).max(100_000),
    replicationFactor: z.number().int().min(1).max(32_767).optional().describe("Copies of each partition; the cluster's default when absent"),
    configs: TopicConfigs.optional(),
  })
  .strict()
  .meta({ id: 'CreateTopicRequest' });
export type CreateTopicRequest = z.input<typeof CreateTopicRequest>;

export const UpdateTopicRequest = z
  .object({
    partitions: z.number().int().min(1).max(100_000).optional().describe('New partition count; Kafka only ever adds partitions'),
    configs: TopicConfigChanges.optional(),
  })
  .strict()
  .refine((body) => body.partitions !== undefined || body.configs !== undefined, 'Give partitions, configs or both')
  .meta({ id: 'UpdateTopicRequest' });
export type UpdateTopicRequest = z.input<typeof UpdateTopicRequest>;

export const TopicPartition = z
  .object({
    partition: z.number().int(),
    logStartOffset: z.number().int().describe('Offset of the oldest record still kept'),
    localLogStartOffset: z
      .number()
      .int()
      .describe("Offset of the oldest record on the brokers' disks; records from logStartOffset up to it are read from tiered storage"),
    highWatermark: z.number().int().describe('Offset the next record will get'),
    localBytes: z.number().int().describe("Bytes on the brokers' disks"),
    remoteBytes: z.number().int().describe('Bytes in tiered (object) storage'),
  })
  .meta({ id: 'TopicPartition' });
export type TopicPartition = z.infer<typeof TopicPartition>;

export const Topic = z
  .object({
    name: z.string(),
    replicationFactor: z.number().int(),
    partitions: z.array(TopicPartition),
    configs: z.record(z.string(), z.string()).describe('Configs set on the topic itself; any other key has the cluster default'),
  })
  .meta({ id: 'Topic' });
export type Topic = z.infer<typeof Topic>;

export const TopicPage = page(Topic).meta({ id: 'TopicPage' });
