import { ErrorCode } from '@fjord/kafka-protocol';
import type { Logger } from 'pino';
import { TopicError } from '../topics/topic-error.ts';

/** The Kafka error for a refused topic operation; anything unexpected is logged and answered as UNKNOWN_SERVER_ERROR. */
export function topicErrorCode(err: unknown, logger: Logger, context: object): { errorCode: number; errorMessage: string } {
  if (err instanceof TopicError) return { errorCode: ErrorCode[err.code], errorMessage: err.message };
  logger.error({ err, ...context }, 'topic operation failed');
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'unexpected broker error' };
}
