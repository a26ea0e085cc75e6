import type { BrokerStatus } from '@fjord/broker-contract';
import type { Db } from '../../repository.ts';

/**
 * The last status each broker of a cluster reported (its current use). Keyed by cluster, not by
 * organization: brokers report it under their cluster's token, and readers have already found the
 * cluster in the caller's organization.
 */
export function brokerStatusRepository(db: Db) {
  return {
    /** A report older than the one kept is ignored, so a delayed retry cannot roll the reading back. */
    record: async (status: BrokerStatus) => {
      const row = {
        at: new Date(status.at),
        partitions: status.partitions,
        hotStoredBytes: BigInt(status.hotStoredBytes),
        connections: status.connections,
        ingressBytesPerSecond: status.ingressBytesPerSecond,
        egressBytesPerSecond: status.egressBytesPerSecond,
      };
      const key = { clusterId: status.clusterId, nodeId: status.nodeId };
      const updated = await db.brokerStatus.updateMany({ where: { ...key, at: { lte: row.at } }, data: row });
      if (updated.count > 0) return;
      await db.brokerStatus.createMany({ data: [{ ...key, ...row }], skipDuplicates: true });
    },
    /** The newest report of the cluster's brokers, or null before the first one. */
    latest: (clusterId: string) => db.brokerStatus.findFirst({ where: { clusterId }, orderBy: { at: 'desc' } }),
  };
}
