import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeConsumerAssignment, decodeRequestFrame, encodeConsumerAssignment, ProtocolError, type SyncGroupRequest } from '../src/index.ts';

const syncGroup = (client: string) => {
  const fixture = JSON.parse(readFileSync(new URL(`fixtures/sync-group/${client}-v3.json`, import.meta.url), 'utf8')) as { request: string };
  return decodeRequestFrame(Buffer.from(fixture.request, 'hex')).body as SyncGroupRequest;
};

describe('classic consumer protocol assignment', () => {
  it.each(['kafkajs', 'kcat'])('reads the partitions a %s group leader assigned in SyncGroup', (client) => {
    const [member] = syncGroup(client).assignments;
    expect(decodeConsumerAssignment(member.assignment)).toEqual({ version: 0, partitions: [{ topic: 'golden', partitions: [0] }] });
  });

  it('writes what it reads, and an empty assignment is no partitions', () => {
    const partitions = [
      { topic: 'orders', partitions: [0, 2, 4] },
      { topic: 'payments', partitions: [1] },
    ];
    expect(decodeConsumerAssignment(encodeConsumerAssignment(partitions))).toEqual({ version: 0, partitions });
    expect(decodeConsumerAssignment(Buffer.alloc(0))).toEqual({ version: 0, partitions: [] });
  });

  it('refuses truncated bytes with a ProtocolError', () => {
    const bytes = encodeConsumerAssignment([{ topic: 'orders', partitions: [0, 1] }]);
    expect(() => decodeConsumerAssignment(bytes.subarray(0, bytes.length - 7))).toThrow(ProtocolError);
  });
});
