/**
 * Fetch response encoding, the generic codec (Writer over the field table) next to the fast path
 * that encodeResponseFrameChunks takes for responses holding record sets, in one run: one partition
 * of 1 MiB, and 1,000 partitions of 2 KiB each (the many-partition fan-out case, where the generic
 * codec copies every small record set into a growing buffer). Byte identity is checked by
 * packages/kafka-protocol/test/fetch-response-frames.test.ts; this prints encodes per second.
 * Run: `node --import tsx bench/fetch-encode.ts`. Not part of `npm test`.
 */
import { Api, encodeRecordBatch, encodeResponseFrameChunks, Writer, type FetchResponse } from '@fjord/kafka-protocol';

const partitions = (count: number, recordBytes: number) => {
  const records = encodeRecordBatch({ records: [{ value: Buffer.alloc(recordBytes, 1) }] });
  return Array.from({ length: count }, (_, i) => ({
    partitionIndex: i,
    errorCode: 0,
    highWatermark: 100n,
    lastStableOffset: 100n,
    logStartOffset: 0n,
    abortedTransactions: [],
    preferredReadReplica: -1,
    records,
  }));
};

/** What encodeResponseFrameChunks did before the fast path. */
function generic(version: number, correlationId: number, body: FetchResponse): Buffer[] {
  const writer = new Writer();
  writer.appendInt32(0).appendInt32(correlationId);
  if (Api.Fetch.responseHeaderVersion(version) === 1) writer.appendEmptyTaggedFields();
  Api.Fetch.writeResponse(writer, version, body);
  return writer.setInt32(0, writer.length - 4).toChunks();
}

function rate(encode: () => unknown, ms = 1500): number {
  for (let i = 0; i < 200; i++) encode();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 20; i++) encode();
    count += 20;
  }
  return (count / (performance.now() - start)) * 1000;
}

const rows: [string, string][] = [];
for (const [name, count, bytes] of [['1 partition of 1 MiB', 1, 1024 * 1024], ['1,000 partitions of 2 KiB', 1000, 2048]] as const) {
  const body = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 'bench', partitions: partitions(count, bytes) }] };
  for (const version of (process.env.VERSIONS ?? '11,12').split(',').map(Number)) {
    const figures: Record<'generic' | 'fast', number[]> = { generic: [], fast: [] };
    // Alternating rounds, medians: the machine is shared.
    for (let round = 0; round < 3; round++) {
      figures.generic.push(rate(() => generic(version, 1, body)));
      figures.fast.push(rate(() => encodeResponseFrameChunks(Api.Fetch, version, 1, body)));
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[1]!;
    const g = median(figures.generic);
    const f = median(figures.fast);
    rows.push([`${name}, v${version}`, `generic ${g.toFixed(0)}/s, fast ${f.toFixed(0)}/s (${(f / g).toFixed(1)}x)`]);
    console.error(rows.at(-1)!.join(': '));
  }
}
console.log(`\n| response | encodes per second |\n| --- | --- |\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}`);
