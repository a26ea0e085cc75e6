import type { BrokerStatus } from '@fjord/broker-contract';
import type { Repositories } from '../../data-access.ts';
import { ApiProblem } from '../../errors.ts';

/** Brokers' reports of their cluster's current use: what `GET /v1/quotas` shows next to each limit (read by the quotas module). */
export function brokerStatusService({ repos }: { repos: Pick<Repositories, 'brokerStatus'> }) {
  return {
    /** A report from the broker of `clusterId` (its token already checked). */
    async record(clusterId: string, status: BrokerStatus): Promise<void> {
      if (status.clusterId !== clusterId) {
        throw new ApiProblem('FJ_VALIDATION', `the report names cluster ${status.clusterId}, not ${clusterId}`);
      }
      await repos.brokerStatus.record(status);
    },
  };
}
