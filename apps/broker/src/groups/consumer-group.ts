import { ASSIGNORS, DEFAULT_ASSIGNOR, type Assignor } from './assignors/index.ts';
import { has, NO_PARTITIONS, type Assignment } from './assignment.ts';
import type { MemberAssignment } from './reconciliation.ts';

/** The topics a consumer group can see: by name for subscriptions, by id for assignments. */
export interface TopicLookup {
  get(name: string): { topicId: string; partitions: readonly unknown[] } | undefined;
  getById(topicId: string): { name: string; partitions: readonly unknown[] } | undefined;
  list(): readonly { name: string; topicId: string; partitions: readonly unknown[] }[];
}

export interface ConsumerMember {
  readonly memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: readonly string[];
  subscribedTopicRegex: string | null;
  /** The regex compiled (compileTopicPattern). */
  topicPattern: RegExp | null;
  serverAssignor: string | null;
  assignment: MemberAssignment;
  /** A static member that left with epoch -2: its partitions stay reserved for its return until its session expires. */
  away: boolean;
  sessionTimer?: NodeJS.Timeout;
  rebalanceTimer?: NodeJS.Timeout;
}

/** Kafka's ConsumerGroupState names, as ConsumerGroupDescribe and ListGroups spell them. */
export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

/**
 * A KIP-848 consumer group: members, the group epoch (bumped by every change of membership,
 * subscriptions or subscribed topics' partitions), and the target assignment the server-side assignor
 * computed at `assignmentEpoch`. Members reach the target one reconciliation step at a time.
 */
export class ConsumerGroup {
  readonly groupId: string;
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerMember>();
  target = new Map<string, Assignment>();
  /** The subscribed topics' ids and partition counts when the epoch was last bumped: a change means a new epoch. */
  topicsSignature = '';
  /** Every member's topic names and patterns together, kept until a subscription changes: heartbeats read it. */
  #subscriptions: { names: Set<string>; patterns: RegExp[] } | undefined;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  get state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch !== this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) {
      if (m.assignment.state !== 'stable' || m.assignment.memberEpoch !== this.assignmentEpoch) return 'Reconciling';
    }
    return 'Stable';
  }

  /** The assignor most members ask for (Kafka's rule), or the default. */
  get assignor(): Assignor {
    const votes = new Map<string, number>();
    for (const m of this.members.values()) if (m.serverAssignor) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    const [name] = [...votes].sort((a, b) => b[1] - a[1])[0] ?? [];
    return (name && ASSIGNORS.get(name)) || DEFAULT_ASSIGNOR;
  }

  /** Topic ids a member subscribes to that exist now: its names plus its pattern's matches. */
  memberTopicIds(member: ConsumerMember, topics: TopicLookup): Set<string> {
    const ids = new Set<string>();
    for (const name of member.subscribedTopicNames) {
      const topic = topics.get(name);
      if (topic) ids.add(topic.topicId);
    }
    if (member.topicPattern) for (const topic of topics.list()) if (member.topicPattern.test(topic.name)) ids.add(topic.topicId);
    return ids;
  }

  /** Partition counts of every topic some member subscribes to, by id. */
  subscribedTopics(topics: TopicLookup): Map<string, number> {
    this.#subscriptions ??= {
      names: new Set([...this.members.values()].flatMap((m) => m.subscribedTopicNames)),
      patterns: [...this.members.values()].flatMap((m) => (m.topicPattern ? [m.topicPattern] : [])),
    };
    const result = new Map<string, number>();
    for (const name of this.#subscriptions.names) {
      const topic = topics.get(name);
      if (topic) result.set(topic.topicId, topic.partitions.length);
    }
    if (this.#subscriptions.patterns.length > 0) {
      for (const topic of topics.list()) {
        if (this.#subscriptions.patterns.some((p) => p.test(topic.name))) result.set(topic.topicId, topic.partitions.length);
      }
    }
    return result;
  }

  /** To be called whenever a member joins, leaves or changes what it subscribes to. */
  subscriptionsChanged(): void {
    this.#subscriptions = undefined;
  }

  /** Runs the assignor for the current epoch. Members that are away keep a target too: a static member returns to it. */
  computeTarget(topics: TopicLookup): void {
    const members = [...this.members.values()]
      .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
      .map((m) => ({ memberId: m.memberId, topicIds: this.memberTopicIds(m, topics), target: this.target.get(m.memberId) ?? NO_PARTITIONS }));
    this.target = this.assignor.assign({ members, topics: this.subscribedTopics(topics) });
    this.assignmentEpoch = this.groupEpoch;
  }

  /** Whether no member other than `memberId` holds the partition, as assigned or still to be revoked. */
  isFree(memberId: string, topicId: string, partition: number): boolean {
    for (const m of this.members.values()) {
      if (m.memberId === memberId) continue;
      if (has(m.assignment.assigned, topicId, partition) || has(m.assignment.pendingRevocation, topicId, partition)) return false;
    }
    return true;
  }

  findByInstanceId(instanceId: string): ConsumerMember | undefined {
    for (const m of this.members.values()) if (m.instanceId === instanceId) return m;
    return undefined;
  }
}

/** Kafka matches a subscription regex against whole topic names. Throws a SyntaxError for a bad one. */
export function compileTopicPattern(regex: string): RegExp {
  return new RegExp(`^(?:${regex})$`);
}
