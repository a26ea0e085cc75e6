/** Why a topic operation was refused, named as the Kafka error the client receives. */
export type TopicErrorCode =
  | 'TOPIC_ALREADY_EXISTS'
  | 'INVALID_TOPIC_EXCEPTION'
  | 'INVALID_PARTITIONS'
  | 'INVALID_REPLICATION_FACTOR'
  | 'INVALID_REPLICA_ASSIGNMENT'
  | 'INVALID_CONFIG'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'POLICY_VIOLATION'
  | 'INVALID_REQUEST';

export class TopicError extends Error {
  readonly code: TopicErrorCode;

  constructor(code: TopicErrorCode, message: string) {
    super(message);
    this.name = 'TopicError';
    this.code = code;
  }
}
