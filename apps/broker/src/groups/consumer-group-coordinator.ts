import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@fjord/kafka-protocol';
import type { Logger } from 'pino';
import { assignmentOf, sameAssignment, toTopicPartitions } from './assignment.ts';
import { ConsumerGroup, type ConsumerMember, type TopicLookup } from './consumer-group.ts';
import type { ConsumerGroupStore } from './consumer-group-store.ts';
import { checkEpoch, HeartbeatError, LEAVE_EPOCH, STATIC_LEAVE_EPOCH, validate } from './heartbeat-checks.ts';
import { JOINING, reconcile } from './reconciliation.ts';

/** What the classic coordinator must answer for a group id the new protocol wants. */
export interface ClassicGroups {
  describe(groupId: string): { members: readonly unknown[] } | undefined;
  delete(groupId: string): number;
}

export interface HeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  topicPartitions: { topicId: string; partitions: number[] }[] | null;
  clientId: string;
  clientHost: string;
}

export interface HeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null;
}

export interface ConsumerGroupOptions {
  topics: TopicLookup;
  classic: ClassicGroups;
  /** Kafka's group.consumer.session.timeout.ms: a member silent this long is removed. */
  sessionTimeoutMs: number;
  /** Kafka's group.consumer.heartbeat.interval.ms, told to members in every answer. */
  heartbeatIntervalMs: number;
  logger: Logger;
  /** Where groups are kept across restarts; without it they live in memory only. */
  store?: ConsumerGroupStore;
}


/**
 * The KIP-848 group coordinator: ConsumerGroupHeartbeat drives membership, the server-side assignor
 * and each member's reconciliation; offsets are the shared offset store's. Groups are snapshotted to
 * the store after each change and reloaded at start, where Kafka replays __consumer_offsets.
 */
export class ConsumerGroupCoordinator {
  readonly #groups = new Map<string, ConsumerGroup>();
  readonly #opts: ConsumerGroupOptions;

  constructor(opts: ConsumerGroupOptions) {
    this.#opts = opts;
  }

  /** A coordinator with the store's groups; their members get a new session to come back in. */
  static async open(opts: ConsumerGroupOptions): Promise<ConsumerGroupCoordinator> {
    const coordinator = new ConsumerGroupCoordinator(opts);
    for (const group of (await opts.store?.load()) ?? []) {
      coordinator.#groups.set(group.groupId, group);
      for (const member of group.members.values()) {
        coordinator.#touch(group, member);
        coordinator.#watchRevocation(group, member);
      }
    }
    return coordinator;
  }

  get(groupId: string): ConsumerGroup | undefined {
    return this.#groups.get(groupId);
  }

  list(): ConsumerGroup[] {
    return [...this.#groups.values()];
  }

  heartbeat(request: HeartbeatRequest, version: number): HeartbeatResult {
    try {
      return this.#heartbeat(request, version);
    } catch (err) {
      if (!(err instanceof HeartbeatError)) throw err;
      return { errorCode: err.errorCode, errorMessage: err.message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
  }

  /**
   * The error an OffsetCommit for a consumer group gets, or undefined when the group is not one (the
   * classic coordinator decides). An empty group takes commits from anyone (admin tools, simple consumers).
   */
  checkCommit(groupId: string, memberId: string, memberEpoch: number, version: number): number | undefined {
    const group = this.#groups.get(groupId);
    if (!group) return undefined;
    if (memberEpoch < 0 && group.members.size === 0) return ErrorCode.NONE;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    // Before v9 a commit carries a generation, not a member epoch (Kafka answers the same).
    if (version < 9) return ErrorCode.UNSUPPORTED_VERSION;
    if (memberEpoch !== member.assignment.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
    this.#touch(group, member);
    return ErrorCode.NONE;
  }

  /** OffsetFetch v9+ from a member checks its epoch; without a member id (admin tools) anyone may read. */
  checkFetch(groupId: string, memberId: string | null, memberEpoch: number): number {
    const group = this.#groups.get(groupId);
    if (!group || (memberId === null && memberEpoch < 0)) return ErrorCode.NONE;
    const member = memberId === null ? undefined : group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (memberEpoch !== member.assignment.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  /**
   * Before a classic JoinGroup: a consumer group with members refuses it (INCONSISTENT_GROUP_PROTOCOL);
   * an empty one is dropped so the id becomes a classic group, as Kafka converts it.
   */
  yieldToClassic(groupId: string): number {
    const group = this.#groups.get(groupId);
    if (!group) return ErrorCode.NONE;
    if (group.members.size > 0) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    this.#groups.delete(groupId);
    this.#changed();
    return ErrorCode.NONE;
  }

  /** Names of the topics a consumer group's members subscribe to (OffsetDelete keeps theirs), or undefined if the id is not one. */
  subscribedTopics(groupId: string): Set<string> | undefined {
    const group = this.#groups.get(groupId);
    if (!group) return undefined;
    const { topics } = this.#opts;
    return new Set([...group.subscribedTopics(topics).keys()].map((topicId) => topics.getById(topicId)!.name));
  }

  /** DeleteGroups: undefined when the id is not a consumer group; NON_EMPTY_GROUP while it has members. */
  delete(groupId: string): number | undefined {
    const group = this.#groups.get(groupId);
    if (!group) return undefined;
    if (group.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    this.#groups.delete(groupId);
    this.#changed();
    return ErrorCode.NONE;
  }

  /** Stops the timers and resolves once the last change is on disk. */
  async close(): Promise<void> {
    for (const group of this.#groups.values()) for (const m of group.members.values()) this.#clearTimers(m);
    await this.#opts.store?.flushed();
  }

  #heartbeat(request: HeartbeatRequest, version: number): HeartbeatResult {
    const pattern = validate(request, version);
    if (request.memberEpoch === LEAVE_EPOCH || request.memberEpoch === STATIC_LEAVE_EPOCH) return this.#leave(request);
    const group = this.#groupFor(request.groupId, request.memberEpoch === 0);
    const { topics, heartbeatIntervalMs } = this.#opts;
    // v0 clients let the coordinator name them; v1 clients name themselves (KIP-1082).
    const memberId = request.memberId || (request.memberEpoch === 0 ? randomUUID() : '');
    let member = group.members.get(memberId);
    let bump = false;
    if (request.memberEpoch === 0) {
      const joined = this.#join(group, memberId, request);
      bump = joined.bump;
      member = joined.member;
    } else {
      if (!member || member.away) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`);
      checkEpoch(member, request);
    }
    const before = { names: member.subscribedTopicNames.join('\n'), regex: member.subscribedTopicRegex, assignor: member.serverAssignor };
    if (request.subscribedTopicNames !== null) member.subscribedTopicNames = [...new Set(request.subscribedTopicNames)];
    if (request.subscribedTopicRegex !== null) {
      member.subscribedTopicRegex = request.subscribedTopicRegex === '' ? null : request.subscribedTopicRegex;
      member.topicPattern = pattern;
    }
    if (request.serverAssignor !== null) member.serverAssignor = request.serverAssignor;
    if (request.rebalanceTimeoutMs !== -1) member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    if (request.rackId !== null) member.rackId = request.rackId;
    member.clientId = request.clientId;
    member.clientHost = request.clientHost;
    const subscriptionChanged = before.names !== member.subscribedTopicNames.join('\n') || before.regex !== member.subscribedTopicRegex;
    if (request.memberEpoch === 0 || subscriptionChanged) group.subscriptionsChanged();
    bump ||= subscriptionChanged || before.assignor !== member.serverAssignor;

    // New topics, deleted ones and added partitions change what there is to assign.
    const signature = [...group.subscribedTopics(topics)].map(([id, n]) => `${id}:${n}`).sort().join(',');
    if (signature !== group.topicsSignature) {
      group.topicsSignature = signature;
      bump = true;
    }
    if (bump) group.groupEpoch++;
    const assignmentEpoch = group.assignmentEpoch;
    if (group.groupEpoch > group.assignmentEpoch) {
      group.computeTarget(topics);
      this.#opts.logger.info({ groupId: group.groupId, groupEpoch: group.groupEpoch, assignor: group.assignor.name }, 'consumer group target assignment');
    }

    const owned = request.topicPartitions === null ? null : assignmentOf(request.topicPartitions);
    const previous = member.assignment;
    const target = group.target.get(member.memberId) ?? new Map();
    const m = member;
    member.assignment = reconcile(previous, target, group.assignmentEpoch, owned, (t, p) => group.isFree(m.memberId, t, p));
    this.#watchRevocation(group, member);
    this.#touch(group, member);
    if (bump || request.memberEpoch === 0 || group.assignmentEpoch !== assignmentEpoch || member.assignment !== previous) this.#changed();

    const full = request.memberEpoch === 0 || (request.rebalanceTimeoutMs !== -1 && request.subscribedTopicNames !== null && owned !== null);
    const changed = !sameAssignment(previous.assigned, member.assignment.assigned);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.assignment.memberEpoch,
      heartbeatIntervalMs,
      assignment: full || changed ? { topicPartitions: toTopicPartitions(member.assignment.assigned) } : null,
    };
  }

  #groupFor(groupId: string, create: boolean): ConsumerGroup {
    let group = this.#groups.get(groupId);
    if (group) return group;
    const classic = this.#opts.classic.describe(groupId);
    if (classic && classic.members.length > 0) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    if (!create) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`);
    // An empty classic group (offsets only, or all members gone) becomes a consumer group, as Kafka upgrades it.
    if (classic) this.#opts.classic.delete(groupId);
    group = new ConsumerGroup(groupId);
    this.#groups.set(groupId, group);
    return group;
  }

  /** Epoch 0: a new member, a member rejoining after being fenced, or a static member returning under a new member id. */
  #join(group: ConsumerGroup, memberId: string, request: HeartbeatRequest): { member: ConsumerMember; bump: boolean } {
    const existing = group.members.get(memberId);
    const previous = request.instanceId === null ? undefined : group.findByInstanceId(request.instanceId);
    if (previous && !previous.away && previous !== existing) {
      throw new HeartbeatError(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${request.instanceId} is still in use by member ${previous.memberId}.`);
    }
    if (existing) {
      // A rejoin starts over: whatever it held is given up (the client dropped it before rejoining).
      this.#clearTimers(existing);
      group.members.delete(memberId);
    }
    const fresh: ConsumerMember = {
      memberId,
      instanceId: request.instanceId,
      rackId: request.rackId,
      clientId: request.clientId,
      clientHost: request.clientHost,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      subscribedTopicNames: [],
      subscribedTopicRegex: null,
      topicPattern: null,
      serverAssignor: null,
      assignment: JOINING,
      away: false,
    };
    if (previous?.away && previous !== existing) {
      // The static member is back: it takes over its partitions and epoch, and the group does not rebalance.
      this.#clearTimers(previous);
      group.members.delete(previous.memberId);
      const target = group.target.get(previous.memberId);
      group.target.delete(previous.memberId);
      if (target) group.target.set(memberId, target);
      Object.assign(fresh, {
        subscribedTopicNames: previous.subscribedTopicNames,
        subscribedTopicRegex: previous.subscribedTopicRegex,
        topicPattern: previous.topicPattern,
        serverAssignor: previous.serverAssignor,
        assignment: previous.assignment,
      });
      group.members.set(memberId, fresh);
      return { member: fresh, bump: false };
    }
    group.members.set(memberId, fresh);
    this.#opts.logger.info({ groupId: group.groupId, memberId }, 'consumer group member joined');
    return { member: fresh, bump: true };
  }

  #leave(request: HeartbeatRequest): HeartbeatResult {
    const group = this.#groups.get(request.groupId);
    if (!group) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${request.groupId} not found.`);
    const member = group.members.get(request.memberId);
    if (!member) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${request.memberId} is not a member of group ${request.groupId}.`);
    if (request.memberEpoch === STATIC_LEAVE_EPOCH && member.instanceId !== null) {
      member.away = true;
      clearTimeout(member.rebalanceTimer);
      this.#touch(group, member);
      this.#changed();
    } else {
      this.#remove(group, member, 'left the group');
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, memberId: request.memberId, memberEpoch: request.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
  }

  #remove(group: ConsumerGroup, member: ConsumerMember, reason: string): void {
    this.#clearTimers(member);
    group.members.delete(member.memberId);
    group.target.delete(member.memberId);
    group.subscriptionsChanged();
    group.groupEpoch++;
    this.#changed();
    this.#opts.logger.info({ groupId: group.groupId, memberId: member.memberId, groupEpoch: group.groupEpoch, reason }, 'consumer group member removed');
  }

  #changed(): void {
    this.#opts.store?.save(() => this.#groups.values());
  }

  #touch(group: ConsumerGroup, member: ConsumerMember): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => this.#remove(group, member, 'session timed out'), this.#opts.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  /** A member told to revoke gets its rebalance timeout to do so; then it is fenced and its partitions move on. */
  #watchRevocation(group: ConsumerGroup, member: ConsumerMember): void {
    if (member.assignment.state !== 'unrevoked') {
      clearTimeout(member.rebalanceTimer);
      member.rebalanceTimer = undefined;
      return;
    }
    if (member.rebalanceTimer) return;
    const epoch = member.assignment.memberEpoch;
    member.rebalanceTimer = setTimeout(() => {
      if (group.members.get(member.memberId) === member && member.assignment.state === 'unrevoked' && member.assignment.memberEpoch === epoch) {
        this.#remove(group, member, 'did not revoke its partitions within its rebalance timeout');
      }
    }, Math.max(0, member.rebalanceTimeoutMs));
    member.rebalanceTimer.unref();
  }

  #clearTimers(member: ConsumerMember): void {
    clearTimeout(member.sessionTimer);
    clearTimeout(member.rebalanceTimer);
  }
}
