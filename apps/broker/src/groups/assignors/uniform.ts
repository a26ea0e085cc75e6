import type { Assignment } from '../assignment.ts';
import type { Assignor, AssignmentSpec, TargetAssignment } from './assignor.ts';

/**
 * Kafka's default server-side assignor: partitions of all subscribed topics spread as evenly as the
 * subscriptions allow, each member keeping as much of its previous target as that balance permits
 * (so a join moves only the partitions the newcomer takes). Members may subscribe to different topics.
 */
export const uniformAssignor: Assignor = {
  name: 'uniform',
  assign(spec: AssignmentSpec): TargetAssignment {
    const owned = new Map(spec.members.map((m) => [m.memberId, [] as [string, number][]]));
    const subscribers = new Map<string, string[]>();
    for (const topicId of spec.topics.keys()) {
      subscribers.set(topicId, spec.members.filter((m) => m.topicIds.has(topicId)).map((m) => m.memberId));
    }
    const taken = new Set<string>();
    // Stickiness: a partition stays where the previous target put it while that member still subscribes.
    for (const m of spec.members) {
      for (const [topicId, partitions] of m.target) {
        const count = spec.topics.get(topicId);
        if (count === undefined || !m.topicIds.has(topicId)) continue;
        for (const p of partitions) {
          if (p >= count || taken.has(key(topicId, p))) continue;
          taken.add(key(topicId, p));
          owned.get(m.memberId)!.push([topicId, p]);
        }
      }
    }
    const size = (memberId: string) => owned.get(memberId)!.length;
    const leastLoaded = (candidates: string[]) => candidates.reduce((best, c) => (size(c) < size(best) ? c : best));
    // New partitions go to the least loaded subscriber, those with the fewest subscribers first.
    const topicsByChoice = [...subscribers].filter(([, s]) => s.length > 0).sort((a, b) => a[1].length - b[1].length || cmp(a[0], b[0]));
    for (const [topicId, members] of topicsByChoice) {
      for (let p = 0; p < spec.topics.get(topicId)!; p++) {
        if (!taken.has(key(topicId, p))) owned.get(leastLoaded(members))!.push([topicId, p]);
      }
    }
    // Then even out: move a partition from a member to a subscriber holding two or more fewer, until none can move.
    for (let moved = true; moved; ) {
      moved = false;
      for (const donor of [...owned.keys()].sort((a, b) => size(b) - size(a))) {
        const list = owned.get(donor)!;
        for (let i = list.length - 1; i >= 0; i--) {
          const [topicId, p] = list[i]!;
          const receiver = leastLoaded(subscribers.get(topicId)!);
          if (size(receiver) + 1 < list.length) {
            list.splice(i, 1);
            owned.get(receiver)!.push([topicId, p]);
            moved = true;
            break;
          }
        }
        if (moved) break;
      }
    }
    return new Map([...owned].map(([memberId, list]) => [memberId, group(list)]));
  },
};

function key(topicId: string, partition: number): string {
  return `${topicId}:${partition}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function group(list: [string, number][]): Assignment {
  const result = new Map<string, Set<number>>();
  for (const [topicId, p] of list) {
    let set = result.get(topicId);
    if (!set) result.set(topicId, (set = new Set()));
    set.add(p);
  }
  return result;
}
