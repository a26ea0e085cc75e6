/**
 * Every error the log raises, declared once. `kafkaErrorCode` is the Kafka protocol error a broker
 * answers with, so a handler maps a LogError without a table of its own.
 */
export const LOG_ERRORS = {
  CORRUPT_MESSAGE: { kafkaErrorCode: 2, message: 'record batch is corrupt' },
  RECORD_TOO_LARGE: { kafkaErrorCode: 10, message: 'record batch is larger than the maximum batch size' },
  OFFSET_OUT_OF_RANGE: { kafkaErrorCode: 1, message: 'offset is outside the log' },
  KAFKA_STORAGE_ERROR: { kafkaErrorCode: 56, message: 'the log cannot be written' },
  LOG_CLOSED: { kafkaErrorCode: 6, message: 'the log is closed' },
  INVALID_CONFIG: { kafkaErrorCode: 40, message: 'invalid log configuration' },
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
