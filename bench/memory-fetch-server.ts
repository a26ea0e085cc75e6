/**
 * The consumer's own ceiling for bench/broker.ts: a minimal Kafka server in the bench process that
 * answers a simple consumer (ApiVersions, Metadata, ListOffsets, Fetch) for one single-partition
 * topic from record batches held in memory. It slices batches as the broker does (whole batches,
 * the first one even when larger than the limit) and encodes with the same codec, so what kcat
 * reaches against it is what kcat can take, with no disk, log or broker bookkeeping behind it.
 */
import net from 'node:net';
import { Api, BATCH_LOG_OVERHEAD, BatchOffset, decodeRequestHeader, encodeResponseFrameChunks, ErrorCode, FrameSplitter, Reader } from '@fjord/kafka-protocol';

export interface MemoryFetchServer {
  readonly address: string;
  close(): Promise<void>;
}

interface Batch {
  position: number;
  lastOffset: bigint;
}

const SERVED = [Api.ApiVersions, Api.Metadata, Api.ListOffsets, Api.Fetch];
/** Advertised, never served: librdkafka enables its record batch v2 feature only when Produce v3+ is there too. */
const ADVERTISED = [...SERVED, Api.Produce];

function indexBatches(log: Buffer): Batch[] {
  const batches: Batch[] = [];
  for (let at = 0; at < log.length; ) {
    const lastOffset = log.readBigInt64BE(at + BatchOffset.BaseOffset) + BigInt(log.readInt32BE(at + BatchOffset.LastOffsetDelta));
    batches.push({ position: at, lastOffset });
    at += BATCH_LOG_OVERHEAD + log.readInt32BE(at + BatchOffset.BatchLength);
  }
  return batches;
}

/** Serves `log` (the partition's batches back to back, starting at offset 0) as partition 0 of `topic`. */
export async function startMemoryFetchServer(topic: string, log: Buffer): Promise<MemoryFetchServer> {
  const batches = indexBatches(log);
  const highWatermark = batches.length === 0 ? 0n : batches[batches.length - 1]!.lastOffset + 1n;
  const topicId = '5f1d3c6e-0000-4000-8000-000000000001';

  const records = (fetchOffset: bigint, maxBytes: number): Buffer => {
    let lo = 0;
    let hi = batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (batches[mid]!.lastOffset < fetchOffset) lo = mid + 1;
      else hi = mid;
    }
    if (lo === batches.length) return Buffer.alloc(0);
    const start = batches[lo]!.position;
    let end = batches[lo + 1]?.position ?? log.length;
    for (let i = lo + 1; i < batches.length; i++) {
      const next = batches[i + 1]?.position ?? log.length;
      if (next - start > maxBytes) break;
      end = next;
    }
    return log.subarray(start, end);
  };

  const answer = (apiKey: number, request: any, port: number): unknown => {
    switch (apiKey) {
      case Api.ApiVersions.key:
        return {
          errorCode: ErrorCode.NONE,
          apiKeys: ADVERTISED.map((api) => ({ apiKey: api.key, minVersion: api.minVersion, maxVersion: api.maxVersion })),
          throttleTimeMs: 0,
        };
      case Api.Metadata.key:
        return {
          throttleTimeMs: 0,
          brokers: [{ nodeId: 0, host: '127.0.0.1', port, rack: null }],
          clusterId: 'memory',
          controllerId: 0,
          topics: [
            {
              errorCode: ErrorCode.NONE,
              name: topic,
              topicId,
              isInternal: false,
              partitions: [{ errorCode: ErrorCode.NONE, partitionIndex: 0, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] }],
              topicAuthorizedOperations: -2147483648,
            },
          ],
          clusterAuthorizedOperations: -2147483648,
        };
      case Api.ListOffsets.key:
        return {
          throttleTimeMs: 0,
          topics: request.topics.map((t: any) => ({
            name: t.name,
            partitions: t.partitions.map((p: any) => ({
              partitionIndex: p.partitionIndex,
              errorCode: ErrorCode.NONE,
              timestamp: -1n,
              offset: p.timestamp === -2n ? 0n : highWatermark,
              leaderEpoch: 0,
            })),
          })),
        };
      default: {
        let budget: number = request.maxBytes;
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.NONE,
          sessionId: 0,
          responses: request.topics.map((t: any) => ({
            topic: t.topic,
            partitions: t.partitions.map((p: any) => {
              const data = budget > 0 ? records(p.fetchOffset, Math.min(p.partitionMaxBytes, budget)) : Buffer.alloc(0);
              budget -= data.length;
              return {
                partitionIndex: p.partition,
                errorCode: ErrorCode.NONE,
                highWatermark,
                lastStableOffset: highWatermark,
                logStartOffset: 0n,
                abortedTransactions: [],
                preferredReadReplica: -1,
                records: data,
              };
            }),
          })),
        };
      }
    }
  };

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const splitter = new FrameSplitter({ maxFrameBytes: 100 * 1024 * 1024 });
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        const reader = new Reader(frame);
        const header = decodeRequestHeader(reader);
        const api = SERVED.find((a) => a.key === header.apiKey);
        if (!api?.isSupported(header.apiVersion)) {
          socket.destroy();
          return;
        }
        const request = api.decodeRequest(header.apiVersion, reader);
        const chunks = encodeResponseFrameChunks(api, header.apiVersion, header.correlationId, answer(header.apiKey, request, port));
        socket.cork();
        for (const c of chunks) socket.write(c);
        socket.uncork();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
