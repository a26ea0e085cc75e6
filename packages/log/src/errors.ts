import { ErrorCode } from '@fjord/kafka-protocol';

/**
 * Every error the log raises, declared once. `kafkaErrorCode` is the Kafka protocol error a broker
 * answers with, so a handler maps a LogError without a table of its own.
 */
export const LOG_ERRORS = {
  CORRUPT_MESSAGE: { kafkaErrorCode: ErrorCode.CORRUPT_MESSAGE, message: 'record batch is corrupt' },
  RECORD_TOO_LARGE: { kafkaErrorCode: ErrorCode.MESSAGE_TOO_LARGE, message: 'record batch is larger than the maximum batch size' },
  OFFSET_OUT_OF_RANGE: { kafkaErrorCode: ErrorCode.OFFSET_OUT_OF_RANGE, message: 'offset is outside the log' },
  KAFKA_STORAGE_ERROR: { kafkaErrorCode: ErrorCode.KAFKA_STORAGE_ERROR, message: 'the log cannot be written' },
  // A closed log is a partition this broker no longer serves: the client refreshes metadata and retries.
  LOG_CLOSED: { kafkaErrorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, message: 'the log is closed' },
  INVALID_CONFIG: { kafkaErrorCode: ErrorCode.INVALID_CONFIG, message: 'invalid log configuration' },
} as const;

export type LogErrorCode = keyof typeof LOG_ERRORS;

export class LogError extends Error {
  readonly code: LogErrorCode;
  readonly kafkaErrorCode: number;

  constructor(code: LogErrorCode, detail?: string, options?: { cause?: unknown }) {
    const base = LOG_ERRORS[code].message;
    super(detail ? `${base}: ${detail}` : base, options);
    this.name = 'LogError';
    this.code = code;
    this.kafkaErrorCode = LOG_ERRORS[code].kafkaErrorCode;
  }
}
