import type { ObjectStore } from '@fjord/object-store';
import { decodeManifest, manifestStartOffset } from './remote-segment.ts';

/**
 * Where a topic's remote segments live under a cluster's prefix: `<clusterPrefix><topic>/`. Each
 * partition is `<topic prefix><topicId>/<partition>/`; the topic id (as in KIP-405's layout) keeps a
 * re-created topic from ever adopting objects of an earlier one of the same name.
 */
export const remoteTopicPrefix = (clusterPrefix: string, topic: string) => `${clusterPrefix}${topic}/`;

export const remotePartitionPrefix = (clusterPrefix: string, topic: string, topicId: string, partition: number) =>
  `${remoteTopicPrefix(clusterPrefix, topic)}${topicId}/${partition}/`;

/**
 * Bytes of the segment logs whose manifests are under a partition prefix: the same figure as the
 * broker's `PartitionLog.remoteSize`, read from the store by whoever owns it (objects without a
 * manifest are not served, so they are not counted).
 */
export async function remoteLogBytes(store: ObjectStore, partitionPrefix: string): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list(partitionPrefix, { cursor });
    const manifests = page.keys.filter((key) => manifestStartOffset(key) !== null);
    const sizes = await Promise.all(manifests.map(async (key) => decodeManifest(await store.get(key))?.segmentSizeInBytes ?? 0));
    total += sizes.reduce((sum, size) => sum + size, 0);
    cursor = page.nextCursor;
  } while (cursor);
  return total;
}
