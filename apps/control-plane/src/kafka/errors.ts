import { ErrorCode, errorByCode, type ErrorName } from '@fjord/kafka-protocol';

/**
 * The broker answered with a Kafka error code. `type` is the name in Kafka's error table
 * (`TOPIC_ALREADY_EXISTS`), so callers switch on names, never on numbers.
 */
export class KafkaError extends Error {
  override name = 'KafkaError';
  readonly code: number;
  readonly type: ErrorName | 'UNKNOWN';
  readonly retriable: boolean;

  constructor(code: number, message?: string | null) {
    const info = errorByCode(code);
    super(message || info.message);
    this.code = code;
    this.type = info.name as ErrorName | 'UNKNOWN';
    this.retriable = info.retriable;
  }

  static of(type: ErrorName, message?: string): KafkaError {
    return new KafkaError(ErrorCode[type], message);
  }
}

/** Why no answer came: the broker could not be reached, the connection dropped, or the answer took too long. */
export type KafkaConnectionFailure = 'unreachable' | 'closed' | 'timeout' | 'protocol';

/** No usable answer from the broker. Always worth retrying later, on a new connection. */
export class KafkaConnectionError extends Error {
  override name = 'KafkaConnectionError';
  readonly reason: KafkaConnectionFailure;
  readonly retriable = true;

  constructor(reason: KafkaConnectionFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** Throws a KafkaError unless `errorCode` is NONE. */
export function throwIfError(errorCode: number, message?: string | null): void {
  if (errorCode !== ErrorCode.NONE) throw new KafkaError(errorCode, message);
}
