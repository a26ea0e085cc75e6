import { Reader } from './primitives/reader.ts';
import { Writer } from './primitives/writer.ts';

/** A classic consumer group member's assignment (Kafka's ConsumerProtocolAssignment, v0-v3 share this prefix). */
export interface ConsumerAssignment {
  version: number;
  partitions: { topic: string; partitions: number[] }[];
}

/**
 * The partitions in the `memberAssignment` bytes a classic consumer's leader hands out through SyncGroup.
 * The bytes belong to the client library; this reads the layout Kafka's own clients, librdkafka and
 * kafkajs write. Empty bytes (a member between rebalances) are no partitions; other malformed bytes
 * raise ProtocolError.
 */
export function decodeConsumerAssignment(bytes: Buffer): ConsumerAssignment {
  if (bytes.length === 0) return { version: 0, partitions: [] };
  const reader = new Reader(bytes);
  const version = reader.readInt16();
  const partitions = reader.readArray((r) => ({ topic: r.readString(), partitions: r.readArray((p) => p.readInt32()) }));
  return { version, partitions };
}

/** The same layout, written (v0, no user data): for tests and tools that play a classic consumer's leader. */
export function encodeConsumerAssignment(partitions: ConsumerAssignment['partitions']): Buffer {
  const writer = new Writer().appendInt16(0).appendInt32(partitions.length);
  for (const { topic, partitions: ids } of partitions) {
    writer.appendString(topic).appendInt32(ids.length);
    for (const id of ids) writer.appendInt32(id);
  }
  return writer.appendInt32(-1).toBuffer();
}
