import { ApiProblem } from '../../errors.ts';
import { KafkaConnectionError, KafkaError } from '../../kafka/index.ts';

/** The request fields a refused topic change may be blamed on. */
export interface TopicRequestFields {
  topic: string;
  configKeys?: string[];
}

/** The request field a Kafka validation error is about. */
const fieldOf: Partial<Record<KafkaError['type'], string>> = {
  INVALID_TOPIC_EXCEPTION: 'name',
  INVALID_PARTITIONS: 'partitions',
  INVALID_REPLICATION_FACTOR: 'replicationFactor',
  INVALID_REPLICA_ASSIGNMENT: 'replicationFactor',
  INVALID_CONFIG: 'configs',
  INVALID_REQUEST: 'body',
};

/**
 * A failure of a call to the cluster, as the API answers it. The cluster's own validation becomes a
 * 400 naming the field; anything that says the cluster cannot answer right now becomes a 503.
 */
export function topicProblem(err: unknown, request: TopicRequestFields): unknown {
  if (err instanceof KafkaConnectionError) {
    return new ApiProblem('FJ_CLUSTER_UNAVAILABLE', `the cluster did not answer: ${err.message}`);
  }
  if (!(err instanceof KafkaError)) return err;
  const field = fieldOf[err.type];
  if (field === 'configs') {
    // Kafka names the offending config in its message; blame that key when it is one the request set
    // (longest first: `retention.ms` is also part of `local.retention.ms`).
    const key = [...(request.configKeys ?? [])].sort((a, b) => b.length - a.length).find((k) => err.message.includes(k));
    return new ApiProblem('FJ_VALIDATION', err.message, [{ field: key ? `configs.${key}` : 'configs', message: err.message }]);
  }
  if (field) return new ApiProblem('FJ_VALIDATION', err.message, [{ field, message: err.message }]);
  switch (err.type) {
    case 'TOPIC_ALREADY_EXISTS':
      return new ApiProblem('FJ_CONFLICT', `topic ${request.topic} already exists`);
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'UNKNOWN_TOPIC_ID':
      return new ApiProblem('FJ_NOT_FOUND', `topic ${request.topic} does not exist`);
    case 'POLICY_VIOLATION':
      return new ApiProblem('FJ_QUOTA_EXCEEDED', err.message);
    case 'THROTTLING_QUOTA_EXCEEDED':
      return new ApiProblem('FJ_RATE_LIMITED', err.message);
    case 'SASL_AUTHENTICATION_FAILED':
    case 'TOPIC_AUTHORIZATION_FAILED':
    case 'CLUSTER_AUTHORIZATION_FAILED':
      // The control plane's own credentials for the cluster were refused: nothing the caller can fix.
      return new ApiProblem('FJ_CLUSTER_UNAVAILABLE', `the cluster refused the control plane's credentials: ${err.message}`);
  }
  if (err.retriable) return new ApiProblem('FJ_CLUSTER_UNAVAILABLE', `the cluster could not answer: ${err.message}`);
  return err;
}
