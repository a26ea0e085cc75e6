import type { Assignment } from '../assignment.ts';

/** What a server-side assignor sees of a consumer group: members' subscriptions and the topics they name. */
export interface AssignmentSpec {
  /** Members in a stable order (by member id), each with the topic ids it subscribes to and its current target. */
  readonly members: readonly { memberId: string; topicIds: ReadonlySet<string>; target: Assignment }[];
  /** Partition counts of every subscribed topic that exists, by topic id. */
  readonly topics: ReadonlyMap<string, number>;
}

/** A target assignment: each member's partitions. Every partition of a subscribed topic goes to exactly one subscriber. */
export type TargetAssignment = Map<string, Assignment>;

export interface Assignor {
  readonly name: string;
  assign(spec: AssignmentSpec): TargetAssignment;
}
