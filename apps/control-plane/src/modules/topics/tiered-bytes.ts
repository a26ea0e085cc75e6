import { remoteLogBytes, remotePartitionPrefix } from '@fjord/log';
import type { ObjectStore } from '@fjord/object-store';
import { tieringPrefix } from '../../internal/cluster-config.ts';
import { partitionKey, type TopicMetadata } from '../../kafka/index.ts';

/** The object store clusters tier into, and the prefix put before every cluster's (FJORD_S3_PREFIX). */
export interface TieredStorage {
  store: ObjectStore;
  prefix: string;
}

const NO_TOPIC_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Bytes each partition keeps in tiered storage, keyed by `partitionKey`. Kafka has no admin API for
 * remote size (DescribeLogDirs counts local bytes only), so the control plane, which owns the store,
 * sums the partitions' segment manifests there. Without a store (or a topic id) nothing is remote.
 */
export async function tieredBytes(tiered: TieredStorage | undefined, clusterId: string, topics: TopicMetadata[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!tiered) return out;
  const clusterPrefix = `${tiered.prefix}${tieringPrefix(clusterId)}`;
  await Promise.all(
    topics.flatMap((t) =>
      t.topicId === undefined || t.topicId === NO_TOPIC_ID
        ? []
        : t.partitions.map(async ({ partition }) => {
            out.set(partitionKey(t.name, partition), await remoteLogBytes(tiered.store, remotePartitionPrefix(clusterPrefix, t.name, t.topicId!, partition)));
          }),
    ),
  );
  return out;
}
