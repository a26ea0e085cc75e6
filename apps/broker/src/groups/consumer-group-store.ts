import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '@fjord/durable-file';
import type { Logger } from 'pino';
import { assignmentOf, toTopicPartitions, type Assignment } from './assignment.ts';
import { compileTopicPattern, ConsumerGroup, type ConsumerMember } from './consumer-group.ts';
import type { MemberState } from './reconciliation.ts';

const FILE = 'consumer-groups.json';

type StoredAssignment = { topicId: string; partitions: number[] }[];

interface StoredMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  away: boolean;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  assigned: StoredAssignment;
  pendingRevocation: StoredAssignment;
}

interface StoredGroup {
  groupId: string;
  groupEpoch: number;
  assignmentEpoch: number;
  topicsSignature: string;
  target: { memberId: string; assignment: StoredAssignment }[];
  members: StoredMember[];
}

/**
 * Consumer groups' epochs, members and assignments, as one snapshot file rewritten (atomically, one
 * write at a time, coalesced) after each change, so members carry on across a broker restart where Kafka
 * would replay __consumer_offsets. A change not yet on disk when the broker dies is lost: its members
 * come back ahead of the stored epoch, are fenced, and rejoin.
 */
export class ConsumerGroupStore {
  readonly #file: string;
  readonly #logger: Logger;
  #writing: Promise<void> = Promise.resolve();
  #queued = false;

  constructor(dataDir: string, logger: Logger) {
    this.#file = path.join(dataDir, FILE);
    this.#logger = logger;
  }

  async load(): Promise<ConsumerGroup[]> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const stored = JSON.parse(text) as { version: 1; groups: StoredGroup[] };
      return stored.groups.map(restore);
    } catch (err) {
      // Only sessions are lost: members are told they are unknown, rejoin, and find their committed offsets.
      this.#logger.warn({ err }, 'unreadable consumer group snapshot; starting without consumer groups');
      return [];
    }
  }

  /** Schedules a snapshot of `groups` as they are when the write starts. */
  save(groups: () => Iterable<ConsumerGroup>): void {
    if (this.#queued) return;
    this.#queued = true;
    this.#writing = this.#writing
      .then(() => {
        this.#queued = false;
        return writeFileDurably(this.#file, JSON.stringify({ version: 1, groups: [...groups()].map(snapshot) }));
      })
      .catch((err: unknown) => this.#logger.error({ err }, 'consumer group snapshot write failed'));
  }

  /** Resolves once every scheduled snapshot is written. */
  flushed(): Promise<void> {
    return this.#writing;
  }
}

const stored = (a: Assignment): StoredAssignment => toTopicPartitions(a);

function snapshot(group: ConsumerGroup): StoredGroup {
  return {
    groupId: group.groupId,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    topicsSignature: group.topicsSignature,
    target: [...group.target].map(([memberId, a]) => ({ memberId, assignment: stored(a) })),
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      subscribedTopicNames: [...m.subscribedTopicNames],
      subscribedTopicRegex: m.subscribedTopicRegex,
      serverAssignor: m.serverAssignor,
      away: m.away,
      memberEpoch: m.assignment.memberEpoch,
      previousMemberEpoch: m.assignment.previousMemberEpoch,
      state: m.assignment.state,
      assigned: stored(m.assignment.assigned),
      pendingRevocation: stored(m.assignment.pendingRevocation),
    })),
  };
}

function restore(g: StoredGroup): ConsumerGroup {
  const group = new ConsumerGroup(g.groupId);
  group.groupEpoch = g.groupEpoch;
  group.assignmentEpoch = g.assignmentEpoch;
  group.topicsSignature = g.topicsSignature;
  group.target = new Map(g.target.map(({ memberId, assignment }) => [memberId, assignmentOf(assignment)]));
  for (const m of g.members) {
    const member: ConsumerMember = {
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      // It compiled when the member sent it.
      topicPattern: m.subscribedTopicRegex === null ? null : compileTopicPattern(m.subscribedTopicRegex),
      serverAssignor: m.serverAssignor,
      away: m.away,
      assignment: {
        memberEpoch: m.memberEpoch,
        previousMemberEpoch: m.previousMemberEpoch,
        state: m.state,
        assigned: assignmentOf(m.assigned),
        pendingRevocation: assignmentOf(m.pendingRevocation),
      },
    };
    group.members.set(member.memberId, member);
  }
  return group;
}
