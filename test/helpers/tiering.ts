import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from '@fjord/object-store';
import type { TestBroker } from './broker.ts';

/** The cluster prefix test brokers tier under (their clusterId is c_test). */
export const CLUSTER_PREFIX = 'clusters/c_test/';

export async function listAll(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, { cursor });
    keys.push(...page.keys);
    cursor = page.nextCursor;
  } while (cursor);
  return keys;
}

/** Bytes of the remote segment logs under a partition prefix. */
export async function remoteLogBytes(store: ObjectStore, prefix: string): Promise<number> {
  let total = 0;
  for (const key of await listAll(store, prefix)) {
    if (key.endsWith('.log')) total += (await store.head(key))?.size ?? 0;
  }
  return total;
}

/** Offset ranges of the remote segments whose manifests are under a partition prefix. */
export async function remoteRanges(store: ObjectStore, prefix: string): Promise<{ start: bigint; end: bigint }[]> {
  const ranges = [];
  for (const key of await listAll(store, prefix)) {
    if (!key.endsWith('.manifest.json')) continue;
    const manifest = JSON.parse((await store.get(key)).toString()) as { startOffset: string; endOffset: string };
    ranges.push({ start: BigInt(manifest.startOffset), end: BigInt(manifest.endOffset) });
  }
  return ranges.sort((a, b) => (a.start < b.start ? -1 : 1));
}

/** `<cluster prefix><topic>/<topicId>/<partition>/`, the topic id as the broker keeps it. */
export async function partitionPrefix(broker: TestBroker, topic: string, partition: number): Promise<string> {
  const registry = JSON.parse(await readFile(path.join(broker.dataDir, 'topics.json'), 'utf8')) as {
    topics: { name: string; topicId: string }[];
  };
  const topicId = registry.topics.find((t) => t.name === topic)!.topicId;
  return `${CLUSTER_PREFIX}${topic}/${topicId}/${partition}/`;
}

/** Bytes of the segment logs in a partition directory, and their base offsets. */
export async function localSegments(dir: string): Promise<{ bytes: number; bases: bigint[] }> {
  let bytes = 0;
  const bases: bigint[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!name.endsWith('.log')) continue;
    // Tiering may delete a segment between the listing and its stat.
    const size = await stat(path.join(dir, name)).then((s) => s.size, () => null);
    if (size === null) continue;
    bytes += size;
    bases.push(BigInt(name.slice(0, 20)));
  }
  return { bytes, bases };
}

/** Lines of `bytes` bytes each, naming their place, for produce/consume comparisons. */
export function numberedLines(count: number, bytes = 1023): string[] {
  return Array.from({ length: count }, (_, i) => `${String(i).padStart(8, '0')} ${'v'.repeat(bytes - 9)}`);
}
