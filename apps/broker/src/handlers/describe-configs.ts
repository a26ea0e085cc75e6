import { Api, ErrorCode, type DescribeConfigsResourceResult, type DescribeConfigsResult } from '@fjord/kafka-protocol';
import type { BrokerContext } from '../broker-context.ts';
import { defineHandler } from './handler.ts';

export const RESOURCE_TYPE = { TOPIC: 2, BROKER: 4 } as const;
export const CONFIG_SOURCE = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;
const CONFIG_TYPE = { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7 } as const;

interface ConfigEntry {
  name: string;
  value: string;
  type: keyof typeof CONFIG_TYPE;
  source: number;
  readOnly: boolean;
  synonyms: { name: string; value: string; source: number }[];
}

function topicEntries(broker: BrokerContext, name: string): ConfigEntry[] | undefined {
  const topic = broker.topics.get(name);
  if (!topic) return undefined;
  return [...broker.topics.effectiveConfig(topic)].map(([configName, { value, isDefault, definition }]) => {
    const brokerDefault = { name: definition.brokerName, value: definition.brokerDefault(brokerDefaults(broker)), source: CONFIG_SOURCE.DEFAULT_CONFIG };
    return {
      name: configName,
      value,
      type: definition.type,
      source: isDefault ? CONFIG_SOURCE.DEFAULT_CONFIG : CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG,
      readOnly: false,
      synonyms: isDefault ? [brokerDefault] : [{ name: configName, value, source: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG }, brokerDefault],
    };
  });
}

function brokerDefaults(broker: BrokerContext) {
  return { log: broker.config.log, maxMessageBytes: broker.config.limits.maxMessageBytes };
}

function brokerEntries(broker: BrokerContext): ConfigEntry[] {
  const { config } = broker;
  const { host, port } = broker.advertised();
  const entry = (name: string, value: string | number | boolean, type: ConfigEntry['type']): ConfigEntry => ({
    name,
    value: String(value),
    type,
    source: CONFIG_SOURCE.STATIC_BROKER_CONFIG,
    readOnly: true,
    synonyms: [{ name, value: String(value), source: CONFIG_SOURCE.STATIC_BROKER_CONFIG }],
  });
  return [
    entry('broker.id', config.nodeId, 'int'),
    entry('advertised.listeners', `${config.auth === 'sasl_plain' ? 'SASL_PLAINTEXT' : 'PLAINTEXT'}://${host}:${port}`, 'list'),
    entry('sasl.enabled.mechanisms', config.auth === 'sasl_plain' ? 'PLAIN' : '', 'list'),
    entry('log.dirs', config.dataDir, 'string'),
    entry('log.retention.ms', config.log.retentionMs, 'long'),
    entry('log.retention.bytes', config.log.retentionBytes, 'long'),
    entry('log.segment.bytes', config.log.segmentBytes, 'int'),
    entry('log.roll.ms', config.log.segmentMs, 'long'),
    entry('log.cleanup.policy', 'delete', 'list'),
    entry('message.max.bytes', config.limits.maxMessageBytes, 'int'),
    entry('num.partitions', 1, 'int'),
    entry('default.replication.factor', 1, 'int'),
    entry('min.insync.replicas', 1, 'int'),
    entry('auto.create.topics.enable', config.autoCreateTopics, 'boolean'),
    entry('delete.topic.enable', true, 'boolean'),
  ];
}

function toResult(entry: ConfigEntry, includeSynonyms: boolean): DescribeConfigsResourceResult {
  return {
    name: entry.name,
    value: entry.value,
    readOnly: entry.readOnly,
    configSource: entry.source,
    isSensitive: false,
    synonyms: includeSynonyms ? entry.synonyms : [],
    configType: CONFIG_TYPE[entry.type],
    documentation: null,
  };
}

export const describeConfigsHandler = defineHandler(Api.DescribeConfigs, (request, _version, { broker }) => {
  const results = request.resources.map(({ resourceType, resourceName, configurationKeys }): DescribeConfigsResult => {
    const failed = (errorCode: number, errorMessage: string): DescribeConfigsResult => ({
      errorCode,
      errorMessage,
      resourceType,
      resourceName,
      configs: [],
    });
    let entries: ConfigEntry[] | undefined;
    if (resourceType === RESOURCE_TYPE.TOPIC) {
      entries = topicEntries(broker, resourceName);
      if (!entries) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${resourceName} does not exist`);
    } else if (resourceType === RESOURCE_TYPE.BROKER) {
      // An empty name asks for the cluster-wide defaults, which on one broker are its own configs.
      if (resourceName !== '' && resourceName !== String(broker.config.nodeId)) {
        return failed(ErrorCode.INVALID_REQUEST, `broker ${resourceName} is not this broker (${broker.config.nodeId})`);
      }
      entries = brokerEntries(broker);
    } else {
      return failed(ErrorCode.INVALID_REQUEST, `resource type ${resourceType} is not supported`);
    }
    const wanted = configurationKeys === null ? undefined : new Set(configurationKeys);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      resourceType,
      resourceName,
      configs: entries.filter((e) => !wanted || wanted.has(e.name)).map((e) => toResult(e, request.includeSynonyms ?? false)),
    };
  });
  return { throttleTimeMs: 0, results };
});
