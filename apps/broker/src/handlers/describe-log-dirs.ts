import { statfs } from 'node:fs/promises';
import { Api, ErrorCode, type DescribeLogDirsTopic } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

/** One log directory (the data dir) holding every partition, with each partition's size on disk. */
export const describeLogDirsHandler = defineHandler(Api.DescribeLogDirs, async (request, _version, { broker }) => {
  const { topics: registry, config } = broker;
  const wanted = request.topics ?? registry.list().map((t) => ({ topic: t.name, partitions: t.partitions.map((_, i) => i) }));
  const topics: DescribeLogDirsTopic[] = [];
  for (const { topic: name, partitions } of wanted) {
    const topic = registry.get(name);
    if (!topic) continue;
    const present = partitions.filter((p) => p >= 0 && p < topic.partitions.length);
    topics.push({
      name,
      partitions: present.map((partitionIndex) => ({
        partitionIndex,
        partitionSize: BigInt(topic.partitions[partitionIndex]!.size),
        offsetLag: 0n,
        isFutureKey: false,
      })),
    });
  }
  const fs = await statfs(config.dataDir, { bigint: true });
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    results: [
      {
        errorCode: ErrorCode.NONE,
        logDir: config.dataDir,
        topics,
        totalBytes: fs.blocks * fs.bsize,
        usableBytes: fs.bavail * fs.bsize,
      },
    ],
  };
});
