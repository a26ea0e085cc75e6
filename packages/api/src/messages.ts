import { z } from 'zod';
import { Timestamp } from './common.ts';

/** The most records one read of a partition answers. */
export const maxMessagesPerRead = 100;

export const TopicMessagesQuery = z
  .object({
    partition: z.coerce.number().int().min(0).max(100_000).default(0),
    limit: z.coerce.number().int().min(1).max(maxMessagesPerRead).default(20).describe('How many of the latest records to read'),
  })
  .strict();
export type TopicMessagesQuery = z.input<typeof TopicMessagesQuery>;

/** Bytes as stored: UTF-8 text when they are valid UTF-8, else base64. */
export const MessageBytes = z
  .object({ encoding: z.enum(['utf8', 'base64']), data: z.string() })
  .nullable()
  .describe('null when the record has none')
  .meta({ id: 'MessageBytes' });
export type MessageBytes = z.infer<typeof MessageBytes>;

export const TopicMessage = z
  .object({
    partition: z.number().int(),
    offset: z.number().int(),
    timestamp: Timestamp,
    timestampType: z.enum(['CreateTime', 'LogAppendTime']),
    key: MessageBytes,
    value: MessageBytes,
    headers: z.array(z.object({ key: z.string(), value: MessageBytes })),
  })
  .meta({ id: 'TopicMessage' });
export type TopicMessage = z.infer<typeof TopicMessage>;

export const TopicMessages = z
  .object({
    topic: z.string(),
    partition: z.number().int(),
    logStartOffset: z.number().int(),
    highWatermark: z.number().int(),
    items: z.array(TopicMessage).describe('The latest records of the partition, oldest first'),
  })
  .meta({ id: 'TopicMessages' });
export type TopicMessages = z.infer<typeof TopicMessages>;
