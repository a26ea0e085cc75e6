import { describe, expect, it } from 'vitest';
import { defineApi } from '../src/schema/define-api.ts';
import type { FieldSpec } from '../src/schema/field.ts';
import { Api, decodeResponseFrame, encodeRecordBatch, encodeResponseFrame, encodeResponseFrameChunks, type ApiDefinition } from '../src/index.ts';

const batch = (values: number, valueBytes: number) =>
  encodeRecordBatch({ records: Array.from({ length: values }, (_, i) => ({ value: Buffer.alloc(valueBytes, i) })) });

/** Record sets on both sides of the 4 KiB (fast path) and 16 KiB (generic Writer) reference thresholds. */
const RECORD_SETS: (Buffer | null)[] = [null, Buffer.alloc(0), batch(1, 10), batch(4, 1020), batch(1, 4096), batch(20, 1000), batch(3, 100_000)];

function partition(index: number, records: Buffer | null, extra: Record<string, unknown> = {}) {
  return {
    partitionIndex: index,
    errorCode: index % 3 === 2 ? 1 : 0,
    highWatermark: BigInt(1000 + index),
    lastStableOffset: BigInt(990 + index),
    logStartOffset: BigInt(index),
    abortedTransactions: index % 2 === 0 ? [] : index % 3 === 0 ? null : [{ producerId: 7n, firstOffset: 3n }],
    preferredReadReplica: -1,
    records,
    ...extra,
  };
}

/** Many shapes: every record set size, tagged fields absent, at their defaults and set, empty topics. */
function bodies(topicField: 'topic' | 'topicId') {
  const topicKey = (i: number) => (topicField === 'topic' ? { topic: `topic-${i}-é` } : { topicId: `5f1d3c6e-0000-4000-8000-00000000000${i}` });
  return [
    { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [] },
    {
      throttleTimeMs: 25,
      errorCode: 0,
      sessionId: 12,
      responses: [
        { ...topicKey(1), partitions: RECORD_SETS.map((records, i) => partition(i, records)) },
        { ...topicKey(2), partitions: [] },
        {
          ...topicKey(3),
          partitions: [
            partition(0, RECORD_SETS[4]!, { currentLeader: { leaderId: -1, leaderEpoch: -1 } }),
            partition(1, RECORD_SETS[5]!, { currentLeader: { leaderId: 0, leaderEpoch: 4 }, divergingEpoch: { epoch: 2, endOffset: 40n } }),
            partition(2, RECORD_SETS[2]!, { snapshotId: { endOffset: 9n, epoch: 1 } }),
          ],
        },
      ],
    },
    // Fields left out take their defaults, as in the generic codec.
    { throttleTimeMs: 0, responses: [{ ...topicKey(4), partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 5n, abortedTransactions: null, records: RECORD_SETS[6] }] }] },
  ];
}

function expectSameBytes(api: ApiDefinition, topicField: 'topic' | 'topicId') {
  for (let version = api.minVersion; version <= api.maxVersion; version++) {
    for (const [i, body] of bodies(topicField).entries()) {
      const chunks = encodeResponseFrameChunks(api, version, 1000 + i, body);
      const generic = encodeResponseFrame(api, version, 1000 + i, body);
      expect(Buffer.concat(chunks).equals(generic), `${api.name} v${version}, body ${i}`).toBe(true);
    }
  }
}

describe('Fetch response frames on the fast path', () => {
  it('are byte-identical to the generic codec for every version it supports, flexible ones included', () => {
    expect(Api.Fetch.maxVersion).toBeGreaterThanOrEqual(Api.Fetch.flexibleFrom);
    expectSameBytes(Api.Fetch, 'topic');
  });

  it('keep each large record set as its own buffer, and decode back to the same records', () => {
    const body = bodies('topic')[1]!;
    const chunks = encodeResponseFrameChunks(Api.Fetch, 12, 5, body);
    for (const records of RECORD_SETS.filter((r) => r && r.length >= 4096)) expect(chunks).toContain(records);
    const whole = Buffer.concat(chunks);
    expect(whole.readInt32BE(0)).toBe(whole.length - 4);
    const decoded = decodeResponseFrame(Api.Fetch, 12, whole.subarray(4)).body;
    expect(decoded.responses[0].partitions.map((p: { records: Buffer | null }) => p.records?.length ?? 0)).toEqual(RECORD_SETS.map((r) => r?.length ?? 0));
  });

  it('follow the schema, not one version: the topic ids of Fetch v13+ and a top-level tagged field', () => {
    // Kafka's FetchResponse v13-v16 over this codec's table: topicId (uuid) replaces the name, and
    // v16 adds the tagged nodeEndpoints.
    const retopic = (fields: readonly FieldSpec[]): FieldSpec[] =>
      fields.map((f) =>
        f.name === 'responses'
          ? { ...f, fields: [{ ...f.fields![0]!, versions: '0-12' }, { name: 'topicId', type: 'uuid', versions: '13+' }, ...f.fields!.slice(1)] }
          : f,
      );
    const response: FieldSpec[] = [
      ...retopic(Api.Fetch.responseFields),
      {
        name: 'nodeEndpoints',
        type: 'struct',
        array: true,
        versions: '16+',
        tagged: '16+',
        tag: 0,
        fields: [
          { name: 'nodeId', type: 'int32', versions: '16+' },
          { name: 'host', type: 'string', versions: '16+' },
          { name: 'port', type: 'int32', versions: '16+' },
          { name: 'rack', type: 'string', versions: '16+', nullable: '16+', default: null },
        ],
      },
    ];
    const fetchV16 = defineApi({ ...Api.Fetch, name: 'FetchV16', minVersion: 13, maxVersion: 16, request: [...Api.Fetch.requestFields], response });
    expectSameBytes(fetchV16, 'topicId');
    const withEndpoints = { ...bodies('topicId')[1]!, nodeEndpoints: [{ nodeId: 0, host: 'localhost', port: 9092, rack: null }] };
    expect(Buffer.concat(encodeResponseFrameChunks(fetchV16, 16, 3, withEndpoints)).equals(encodeResponseFrame(fetchV16, 16, 3, withEndpoints))).toBe(true);
  });
});
