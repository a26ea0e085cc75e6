import type { ClusterStatus } from '@fjord/db';
import type { Db, PageRequest } from '../../repository.ts';

export interface NewClusterEvent {
  type: string;
  status: ClusterStatus;
  message: string;
}

export function clusterEventsRepository(db: Db) {
  return {
    record: (orgId: string, clusterId: string, event: NewClusterEvent) => db.clusterEvent.create({ data: { ...event, orgId, clusterId } }),
    /** Oldest first: a lifecycle reads in order. */
    list: (orgId: string, clusterId: string, page: PageRequest) =>
      db.clusterEvent.findMany({
        where: { orgId, clusterId, ...(page.after ? { seq: { gt: BigInt(page.after) } } : {}) },
        orderBy: { seq: 'asc' },
        take: page.limit + 1,
      }),
  };
}
