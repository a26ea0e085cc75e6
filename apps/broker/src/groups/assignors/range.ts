import type { Assignor, AssignmentSpec, TargetAssignment } from './assignor.ts';

/**
 * Kafka's `range` server-side assignor: each topic's partitions are cut into contiguous ranges over its
 * subscribers in member-id order, the first ones taking one extra. Members subscribed to the same
 * co-partitioned topics thus get the same partition numbers of each (what joins over keys need), at the
 * price of balance across topics.
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  assign(spec: AssignmentSpec): TargetAssignment {
    const result: TargetAssignment = new Map(spec.members.map((m) => [m.memberId, new Map<string, Set<number>>()]));
    for (const [topicId, count] of spec.topics) {
      const members = spec.members.filter((m) => m.topicIds.has(topicId)).map((m) => m.memberId).sort();
      if (members.length === 0) continue;
      const quota = Math.floor(count / members.length);
      const extra = count % members.length;
      let next = 0;
      members.forEach((memberId, i) => {
        const take = quota + (i < extra ? 1 : 0);
        if (take === 0) return;
        const partitions = new Set<number>();
        for (let p = next; p < next + take; p++) partitions.add(p);
        (result.get(memberId) as Map<string, Set<number>>).set(topicId, partitions);
        next += take;
      });
    }
    return result;
  },
};
