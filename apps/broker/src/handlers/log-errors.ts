import { ErrorCode } from '@fjord/kafka-protocol';
import { LogError } from '@fjord/log';
import type { Logger } from 'pino';

/** The Kafka error for a failed log operation; unexpected failures are logged and reported as KAFKA_STORAGE_ERROR. */
export function logErrorCode(err: unknown, logger: Logger, context: object): { errorCode: number; errorMessage: string } {
  if (err instanceof LogError) return { errorCode: err.kafkaErrorCode, errorMessage: err.message };
  logger.error({ err, ...context }, 'log operation failed');
  return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: 'the log cannot be written' };
}
