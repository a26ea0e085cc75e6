import type { LogDefaults } from '@fjord/broker-contract';

/**
 * Topic-level configs the broker understands, with their broker-wide defaults. A topic stores only
 * its overrides; DescribeConfigs shows the effective value and whether it is a default.
 */
export interface TopicConfigDefinition {
  name: string;
  type: 'long' | 'int' | 'double' | 'string' | 'boolean' | 'list';
  brokerDefault: (defaults: BrokerTopicDefaults) => string;
  validate?: (value: string) => boolean;
  /** The broker-level config name shown for the default (DescribeConfigs synonyms). */
  brokerName: string;
}

export interface BrokerTopicDefaults {
  log: LogDefaults;
  maxMessageBytes: number;
  /** The cluster's tiering policy; absent when the broker has no object store, so nothing can be tiered. */
  tiering?: { enabled: boolean; localRetentionMs: number };
}

const isLong = (min: number) => (v: string) => /^-?\d+$/.test(v) && Number(v) >= min;
const oneOf = (...values: string[]) => (v: string) => values.includes(v);

export const TOPIC_CONFIGS: readonly TopicConfigDefinition[] = [
  {
    name: 'cleanup.policy',
    type: 'list',
    brokerName: 'log.cleanup.policy',
    brokerDefault: () => 'delete',
    validate: (v) => cleanupPolicies(v) !== undefined,
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    brokerName: 'log.cleaner.min.cleanable.ratio',
    brokerDefault: () => '0.5',
    validate: (v) => /^\d+(\.\d+)?$/.test(v) && Number(v) <= 1,
  },
  {
    name: 'delete.retention.ms',
    type: 'long',
    brokerName: 'log.cleaner.delete.retention.ms',
    brokerDefault: () => '86400000',
    validate: isLong(0),
  },
  { name: 'retention.ms', type: 'long', brokerName: 'log.retention.ms', brokerDefault: (d) => String(d.log.retentionMs), validate: isLong(-1) },
  { name: 'retention.bytes', type: 'long', brokerName: 'log.retention.bytes', brokerDefault: (d) => String(d.log.retentionBytes), validate: isLong(-1) },
  { name: 'segment.bytes', type: 'int', brokerName: 'log.segment.bytes', brokerDefault: (d) => String(d.log.segmentBytes), validate: isLong(1024) },
  { name: 'segment.ms', type: 'long', brokerName: 'log.roll.ms', brokerDefault: (d) => String(d.log.segmentMs), validate: isLong(1) },
  { name: 'max.message.bytes', type: 'int', brokerName: 'message.max.bytes', brokerDefault: (d) => String(d.maxMessageBytes), validate: isLong(0) },
  {
    name: 'message.timestamp.type',
    type: 'string',
    brokerName: 'log.message.timestamp.type',
    brokerDefault: () => 'CreateTime',
    // LogAppendTime would mean rewriting batch timestamps on append, which the log does not do.
    validate: oneOf('CreateTime'),
  },
  {
    name: 'compression.type',
    type: 'string',
    brokerName: 'compression.type',
    brokerDefault: () => 'producer',
    validate: oneOf('producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'),
  },
  {
    name: 'remote.storage.enable',
    type: 'boolean',
    brokerName: 'remote.log.storage.system.enable',
    brokerDefault: (d) => String(d.tiering?.enabled ?? false),
    validate: oneOf('true', 'false'),
  },
  {
    name: 'local.retention.ms',
    type: 'long',
    brokerName: 'log.local.retention.ms',
    brokerDefault: (d) => String(d.tiering?.localRetentionMs ?? -2),
    validate: isLong(-2),
  },
  { name: 'local.retention.bytes', type: 'long', brokerName: 'log.local.retention.bytes', brokerDefault: () => '-2', validate: isLong(-2) },
  { name: 'min.insync.replicas', type: 'int', brokerName: 'min.insync.replicas', brokerDefault: () => '1', validate: oneOf('1') },
];

/** The policies named by a cleanup.policy value ("delete", "compact", or both, comma-separated), or undefined when invalid. */
export function cleanupPolicies(value: string): { delete: boolean; compact: boolean } | undefined {
  const names = value.split(',').map((name) => name.trim());
  if (names.length === 0 || names.some((name) => name !== 'delete' && name !== 'compact')) return undefined;
  return { delete: names.includes('delete'), compact: names.includes('compact') };
}

const BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

export function topicConfigDefinition(name: string): TopicConfigDefinition | undefined {
  return BY_NAME.get(name);
}

/** Checks requested overrides; returns the first problem found, or undefined. */
export function topicConfigProblem(configs: Record<string, string | null>): string | undefined {
  for (const [name, value] of Object.entries(configs)) {
    const def = BY_NAME.get(name);
    if (!def) return `unknown topic config ${name}`;
    if (value === null) return `config ${name} has no value`;
    if (def.validate && !def.validate(value)) return `invalid value ${JSON.stringify(value)} for ${name}`;
  }
  return undefined;
}

/**
 * Checks that hold between configs, on the effective values (overrides over defaults), as Kafka
 * checks them: local retention within total retention, and no remote storage for compacted topics
 * or on a cluster that has no object store.
 */
export function topicConfigsConflict(overrides: Record<string, string>, defaults: BrokerTopicDefaults): string | undefined {
  const effective = effectiveTopicConfig(overrides, defaults);
  const value = (name: string) => effective.get(name)!.value;
  if (value('remote.storage.enable') !== 'true') return undefined;
  if (!defaults.tiering) return 'remote.storage.enable=true needs tiered storage, which this cluster does not have';
  if (cleanupPolicies(value('cleanup.policy'))?.compact) return 'remote.storage.enable=true is not supported for compacted topics';
  for (const [local, total] of [['local.retention.ms', 'retention.ms'], ['local.retention.bytes', 'retention.bytes']] as const) {
    const localValue = Number(value(local));
    const totalValue = Number(value(total));
    // A default local retention larger than the topic's own total simply follows the total (see localRetention).
    if (overrides[local] === undefined || localValue === -2 || totalValue === -1) continue;
    if (localValue === -1 || localValue > totalValue) return `${local} (${localValue}) cannot exceed ${total} (${totalValue})`;
  }
  return undefined;
}

/** The local retention a log gets: -2 (follow the total) where a default would exceed the topic's total. */
export function localRetention(local: number, total: number): number {
  if (local === -2 || total === -1) return local;
  return local === -1 || local > total ? -2 : local;
}

export function effectiveTopicConfig(
  overrides: Record<string, string>,
  defaults: BrokerTopicDefaults,
): Map<string, { value: string; isDefault: boolean; definition: TopicConfigDefinition }> {
  const out = new Map<string, { value: string; isDefault: boolean; definition: TopicConfigDefinition }>();
  for (const def of TOPIC_CONFIGS) {
    const override = overrides[def.name];
    out.set(def.name, { value: override ?? def.brokerDefault(defaults), isDefault: override === undefined, definition: def });
  }
  return out;
}
