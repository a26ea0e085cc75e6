import { randomUUID } from 'node:crypto';
import { ErrorCode, Reader } from '@fjord/kafka-protocol';
import type { Logger } from 'pino';

/*
 * The classic consumer-group protocol (JoinGroup / SyncGroup / Heartbeat / LeaveGroup) for a single
 * broker that coordinates every group:
 *   Empty --join--> PreparingRebalance --all members joined (or rebalance timeout)--> CompletingRebalance
 *   CompletingRebalance --leader's SyncGroup--> Stable --join, leave or session expiry--> PreparingRebalance
 * Partition assignment is the clients' business: the leader computes it and the coordinator hands it out.
 */

type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
  clientId: string;
  clientHost: string;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: { name: string; metadata: Buffer }[];
  assignment: Buffer;
  joinWaiter?: (result: JoinResult) => void;
  syncWaiter?: (result: SyncResult) => void;
  sessionTimer?: NodeJS.Timeout;
}

interface Group {
  groupId: string;
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  members: Map<string, Member>;
  rebalanceTimer?: NodeJS.Timeout;
}

export interface GroupSummary {
  groupId: string;
  state: GroupState;
  protocolType: string | null;
  protocolName: string | null;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }[];
}

const EMPTY: Buffer = Buffer.alloc(0);
const MIN_SESSION_TIMEOUT_MS = 1000;
const MAX_SESSION_TIMEOUT_MS = 30 * 60 * 1000;

export class GroupCoordinator {
  readonly #groups = new Map<string, Group>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  join(request: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number): Promise<JoinResult> =>
      Promise.resolve({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: request.memberId, members: [] });
    if (request.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    if (request.sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS || request.sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    if (request.protocolType === '' || request.protocols.length === 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);

    let group = this.#groups.get(request.groupId);
    if (!group) {
      group = { groupId: request.groupId, state: 'Empty', generationId: 0, protocolType: null, protocolName: null, leaderId: null, members: new Map() };
      this.#groups.set(group.groupId, group);
    }
    if (group.members.size > 0 && group.protocolType !== request.protocolType) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const others = [...group.members.values()].filter((m) => m.memberId !== request.memberId);
    if (commonProtocols([...others.map((m) => m.protocols), request.protocols]).length === 0) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }

    let member: Member | undefined;
    if (request.memberId === '') {
      member = {
        memberId: `${request.clientId || 'member'}-${randomUUID()}`,
        groupInstanceId: request.groupInstanceId,
        clientId: request.clientId,
        clientHost: request.clientHost,
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        protocols: request.protocols,
        assignment: EMPTY,
      };
      group.members.set(member.memberId, member);
    } else {
      member = group.members.get(request.memberId);
      if (!member) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      member.protocols = request.protocols;
      member.sessionTimeoutMs = request.sessionTimeoutMs;
      member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    }
    group.protocolType = request.protocolType;
    // A member that re-sends JoinGroup replaces its earlier, still pending one.
    member.joinWaiter?.({ ...joinFailure(member.memberId), errorCode: ErrorCode.REBALANCE_IN_PROGRESS });
    const joined = new Promise<JoinResult>((resolve) => {
      member.joinWaiter = resolve;
    });
    this.#touch(group, member);
    if (group.state !== 'PreparingRebalance') this.#prepareRebalance(group, `member ${member.memberId} joined`);
    this.#maybeCompleteJoin(group);
    return joined;
  }

  sync(groupId: string, generationId: number, memberId: string, assignments: { memberId: string; assignment: Buffer }[]): Promise<SyncResult> {
    const group = this.#groups.get(groupId);
    const member = group?.members.get(memberId);
    const answer = (errorCode: number, assignment = EMPTY): Promise<SyncResult> =>
      Promise.resolve({ errorCode, protocolType: group?.protocolType ?? null, protocolName: group?.protocolName ?? null, assignment });
    if (!group || !member) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generationId !== group.generationId) return answer(ErrorCode.ILLEGAL_GENERATION);
    this.#touch(group, member);
    if (group.state === 'PreparingRebalance') return answer(ErrorCode.REBALANCE_IN_PROGRESS);
    if (group.state === 'Stable') return answer(ErrorCode.NONE, member.assignment);

    const synced = new Promise<SyncResult>((resolve) => {
      member.syncWaiter = resolve;
    });
    if (memberId === group.leaderId) {
      const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      group.state = 'Stable';
      for (const m of group.members.values()) {
        m.assignment = byMember.get(m.memberId) ?? EMPTY;
        m.syncWaiter?.({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: m.assignment });
        m.syncWaiter = undefined;
      }
      this.#logger.info({ groupId, generationId, members: group.members.size }, 'group stable');
    }
    return synced;
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const group = this.#groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.#touch(group, member);
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const group = this.#groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.#remove(group, member, 'left the group');
    return ErrorCode.NONE;
  }

  /**
   * Whether a member may commit offsets for the group now; simple (group-less) commits use generation -1.
   * As in Kafka, members of the current generation may commit while the group prepares a rebalance:
   * that is when clients commit what they processed before giving their partitions up. Only between
   * JoinGroup and the leader's SyncGroup, when the new assignment is not out yet, is a commit refused.
   */
  checkCommit(groupId: string, generationId: number, memberId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.#groups.get(groupId);
    if (generationId < 0 && (!group || group.members.size === 0)) return ErrorCode.NONE;
    if (group?.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group?.members.get(memberId);
    if (!group || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.#touch(group, member);
    return ErrorCode.NONE;
  }

  /** Groups with live state; groups known only by their committed offsets are the caller's to add. */
  list(): GroupSummary[] {
    return [...this.#groups.keys()].map((id) => this.describe(id)!);
  }

  describe(groupId: string): GroupSummary | undefined {
    const group = this.#groups.get(groupId);
    if (!group) return undefined;
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? EMPTY,
        assignment: m.assignment,
      })),
    };
  }

  /**
   * Topics the live members of a consumer group subscribe to, read from their ConsumerProtocolSubscription
   * metadata (int16 version, then an array of topic names; later fields are not needed). A member whose
   * metadata cannot be read is taken to subscribe to nothing it could lose: its group keeps all offsets.
   */
  subscribedTopics(groupId: string): { has(topic: string): boolean } {
    const group = this.#groups.get(groupId);
    if (!group || group.members.size === 0) return new Set<string>();
    if (group.protocolType !== 'consumer') return { has: () => true };
    const topics = new Set<string>();
    for (const member of group.members.values()) {
      const metadata = member.protocols.find((p) => p.name === group.protocolName)?.metadata ?? member.protocols[0]?.metadata;
      const names = metadata ? subscriptionTopics(metadata) : undefined;
      if (!names) return { has: () => true };
      for (const name of names) topics.add(name);
    }
    return topics;
  }

  /** Forgets an empty group. Returns NON_EMPTY_GROUP while it has members. */
  delete(groupId: string): number {
    const group = this.#groups.get(groupId);
    if (group && group.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    if (group) clearTimeout(group.rebalanceTimer);
    this.#groups.delete(groupId);
    return ErrorCode.NONE;
  }

  /** Ends every pending join and sync (the broker is going away) and stops all timers. */
  close(): void {
    for (const group of this.#groups.values()) {
      clearTimeout(group.rebalanceTimer);
      for (const m of group.members.values()) {
        clearTimeout(m.sessionTimer);
        m.joinWaiter?.({ ...joinFailure(m.memberId), errorCode: ErrorCode.NOT_COORDINATOR });
        m.syncWaiter?.({ errorCode: ErrorCode.NOT_COORDINATOR, protocolType: null, protocolName: null, assignment: EMPTY });
      }
    }
    this.#groups.clear();
  }

  #prepareRebalance(group: Group, reason: string): void {
    clearTimeout(group.rebalanceTimer);
    group.state = 'PreparingRebalance';
    this.#logger.info({ groupId: group.groupId, reason }, 'group rebalancing');
    for (const m of group.members.values()) {
      m.syncWaiter?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, protocolType: group.protocolType, protocolName: group.protocolName, assignment: EMPTY });
      m.syncWaiter = undefined;
    }
    // Members get their rebalance timeout to rejoin; those that do not are dropped.
    const timeout = Math.max(0, ...[...group.members.values()].map((m) => m.rebalanceTimeoutMs));
    group.rebalanceTimer = setTimeout(() => {
      for (const m of [...group.members.values()]) {
        if (!m.joinWaiter) this.#dropMember(group, m, 'did not rejoin in time');
      }
      this.#completeJoin(group);
    }, timeout);
    group.rebalanceTimer.unref();
  }

  #maybeCompleteJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    for (const m of group.members.values()) if (!m.joinWaiter) return;
    this.#completeJoin(group);
  }

  #completeJoin(group: Group): void {
    clearTimeout(group.rebalanceTimer);
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.leaderId = null;
      group.generationId++;
      return;
    }
    const members = [...group.members.values()];
    group.generationId++;
    group.protocolName = commonProtocols(members.map((m) => m.protocols))[0] ?? null;
    if (!group.leaderId || !group.members.has(group.leaderId)) group.leaderId = members[0]!.memberId;
    group.state = 'CompletingRebalance';
    const roster = members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? EMPTY,
    }));
    for (const m of members) {
      m.joinWaiter?.({
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId,
        memberId: m.memberId,
        members: m.memberId === group.leaderId ? roster : [],
      });
      m.joinWaiter = undefined;
      this.#touch(group, m);
    }
    this.#logger.info({ groupId: group.groupId, generationId: group.generationId, members: members.length }, 'group joined');
  }

  #touch(group: Group, member: Member): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => {
      // A member parked in JoinGroup or SyncGroup is waiting on us, not gone.
      if (member.joinWaiter || member.syncWaiter) this.#touch(group, member);
      else this.#remove(group, member, 'session timed out');
    }, member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  #dropMember(group: Group, member: Member, reason: string): void {
    clearTimeout(member.sessionTimer);
    group.members.delete(member.memberId);
    member.joinWaiter?.({ ...joinFailure(member.memberId), errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
    member.syncWaiter?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: EMPTY });
    this.#logger.info({ groupId: group.groupId, memberId: member.memberId, reason }, 'member removed');
  }

  #remove(group: Group, member: Member, reason: string): void {
    this.#dropMember(group, member, reason);
    if (group.members.size === 0) {
      clearTimeout(group.rebalanceTimer);
      group.state = 'Empty';
      group.leaderId = null;
      group.generationId++;
      return;
    }
    if (group.state !== 'PreparingRebalance') this.#prepareRebalance(group, `member ${reason}`);
    this.#maybeCompleteJoin(group);
  }
}

function joinFailure(memberId: string): JoinResult {
  return { errorCode: ErrorCode.NONE, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

/** Protocol names every member supports, in the order of the first member's preference. */
function commonProtocols(memberProtocols: { name: string }[][]): string[] {
  const [first, ...rest] = memberProtocols;
  if (!first) return [];
  return first.map((p) => p.name).filter((name) => rest.every((ps) => ps.some((p) => p.name === name)));
}

/** The topic names of a ConsumerProtocolSubscription, or undefined when the bytes are not one. */
function subscriptionTopics(metadata: Buffer): string[] | undefined {
  try {
    const reader = new Reader(metadata);
    reader.readInt16();
    const count = reader.readInt32();
    if (count < 0 || count > reader.remaining) return undefined;
    const names: string[] = [];
    for (let i = 0; i < count; i++) names.push(reader.readString());
    return names;
  } catch {
    return undefined;
  }
}
