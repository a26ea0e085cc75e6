import type { BrokerStatus } from '@fjord/broker-contract';
import type { Db } from '../../repository.ts';

/**
 * The last status each broker of a cluster reported (its current use). Keyed by cluster, not by
 * organization: brokers report it under their cluster's token; `GET /v1/quotas` reads it by
 * organization through the quotas repository.
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
  };
}
