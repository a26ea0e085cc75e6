import { intersect, partitionCount, subtract, union, type Assignment, NO_PARTITIONS, filter } from './assignment.ts';

/**
 * Where a member stands on its way to the group's target assignment (Kafka's MemberState):
 *   stable      it holds its whole target at the target's epoch;
 *   unrevoked   it must give partitions up first, and keeps its old epoch until it reports them gone;
 *   unreleased  it is at the new epoch but waits for partitions other members still hold.
 */
export type MemberState = 'stable' | 'unrevoked' | 'unreleased';

export interface MemberAssignment {
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: MemberState;
  /** What the member may consume now: what the coordinator last told it. */
  readonly assigned: Assignment;
  /** What it was told to give up and has not yet reported as given up. */
  readonly pendingRevocation: Assignment;
}

export const JOINING: MemberAssignment = { memberEpoch: 0, previousMemberEpoch: 0, state: 'stable', assigned: NO_PARTITIONS, pendingRevocation: NO_PARTITIONS };

/**
 * One step of incremental reconciliation (Kafka's CurrentAssignmentBuilder). Revocation comes first: a
 * member that must give partitions up is told only what it keeps, and moves to the target epoch once a
 * heartbeat's owned partitions show the revoked ones gone. Only then, and only partitions no other
 * member holds (`isFree`), are added, so no partition is ever owned by two members at once.
 *
 * @param owned the partitions the member reports owning, or null when its heartbeat left them out
 */
export function reconcile(
  member: MemberAssignment,
  target: Assignment,
  targetEpoch: number,
  owned: Assignment | null,
  isFree: (topicId: string, partition: number) => boolean,
): MemberAssignment {
  switch (member.state) {
    case 'stable':
      return member.memberEpoch === targetEpoch ? member : nextStep(member, target, targetEpoch, isFree);
    case 'unrevoked':
      if (owned === null || partitionCount(intersect(owned, member.pendingRevocation)) > 0) return member;
      return nextStep(member, target, targetEpoch, isFree);
    case 'unreleased':
      return nextStep(member, target, targetEpoch, isFree);
  }
}

function nextStep(member: MemberAssignment, target: Assignment, targetEpoch: number, isFree: (topicId: string, partition: number) => boolean): MemberAssignment {
  const kept = intersect(member.assigned, target);
  const revoke = subtract(member.assigned, target);
  if (partitionCount(revoke) > 0) {
    return { memberEpoch: member.memberEpoch, previousMemberEpoch: member.previousMemberEpoch, state: 'unrevoked', assigned: kept, pendingRevocation: revoke };
  }
  const wanted = subtract(target, kept);
  const claimable = filter(wanted, isFree);
  return {
    memberEpoch: targetEpoch,
    previousMemberEpoch: member.memberEpoch,
    state: partitionCount(claimable) < partitionCount(wanted) ? 'unreleased' : 'stable',
    assigned: union(kept, claimable),
    pendingRevocation: NO_PARTITIONS,
  };
}
