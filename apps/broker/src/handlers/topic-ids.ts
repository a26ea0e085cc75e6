import { ZERO_UUID } from '@fjord/kafka-protocol';
import type { BrokerContext } from '../broker-context.ts';
import type { Topic } from '../topics/topic-registry.ts';

/**
 * The topic a request entry names: by topic id in the versions that carry ids instead of names
 * (KIP-516), by name before them. Undefined when there is none; the caller answers
 * UNKNOWN_TOPIC_ID or UNKNOWN_TOPIC_OR_PARTITION, whichever `byId` calls for.
 */
export function namedTopic(broker: BrokerContext, entry: { name?: string; topicId?: string }, byId: boolean): Topic | undefined {
  if (byId) return entry.topicId !== undefined && entry.topicId !== ZERO_UUID ? broker.topics.getById(entry.topicId) : undefined;
  return entry.name !== undefined ? broker.topics.get(entry.name) : undefined;
}
