export { AdminClient, partitionKey, type AdminClientOptions, type ClusterMetadata, type ConfigEntry, type NewTopic, type TopicMetadata } from './admin-client.ts';
export { AdminPool, type AdminPoolOptions, type ClusterTarget } from './admin-pool.ts';
export { KafkaConnection, type ClientTls, type ConnectionOptions, type SaslPlain } from './connection.ts';
export { KafkaConnectionError, KafkaError, type KafkaConnectionFailure } from './errors.ts';
export {
  committedOffsets,
  deleteConsumerGroup,
  describeConsumerGroup,
  listConsumerGroups,
  type CommittedOffset,
  type GroupDescription,
  type GroupListing,
  type GroupMember,
} from './group-admin.ts';
