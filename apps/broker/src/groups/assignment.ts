/** Partitions by topic id: what a member owns, is assigned, or must give up. */
export type Assignment = ReadonlyMap<string, ReadonlySet<number>>;

export const NO_PARTITIONS: Assignment = new Map();

export function assignmentOf(entries: Iterable<{ topicId: string; partitions: Iterable<number> }>): Assignment {
  const result = new Map<string, Set<number>>();
  for (const { topicId, partitions } of entries) {
    const set = result.get(topicId) ?? new Set<number>();
    for (const p of partitions) set.add(p);
    if (set.size > 0) result.set(topicId, set);
  }
  return result;
}

export function partitionCount(a: Assignment): number {
  let n = 0;
  for (const ps of a.values()) n += ps.size;
  return n;
}

export function has(a: Assignment, topicId: string, partition: number): boolean {
  return a.get(topicId)?.has(partition) ?? false;
}

/** The partitions of `a` that pass `keep`, without empty topics. */
export function filter(a: Assignment, keep: (topicId: string, partition: number) => boolean): Assignment {
  const result = new Map<string, Set<number>>();
  for (const [topicId, ps] of a) {
    const kept = new Set([...ps].filter((p) => keep(topicId, p)));
    if (kept.size > 0) result.set(topicId, kept);
  }
  return result;
}

export function intersect(a: Assignment, b: Assignment): Assignment {
  return filter(a, (t, p) => has(b, t, p));
}

export function subtract(a: Assignment, b: Assignment): Assignment {
  return filter(a, (t, p) => !has(b, t, p));
}

export function union(a: Assignment, b: Assignment): Assignment {
  return assignmentOf([...a, ...b].map(([topicId, partitions]) => ({ topicId, partitions })));
}

export function sameAssignment(a: Assignment, b: Assignment): boolean {
  return partitionCount(a) === partitionCount(b) && partitionCount(intersect(a, b)) === partitionCount(a);
}

/** The wire form: one entry per topic, partitions ascending. */
export function toTopicPartitions(a: Assignment): { topicId: string; partitions: number[] }[] {
  return [...a].map(([topicId, ps]) => ({ topicId, partitions: [...ps].sort((x, y) => x - y) }));
}
