import type { UsageReport, UsageReportAck } from '@fjord/broker-contract';
import { integrate, isTimeDimension } from '@fjord/metering';
import type { Repositories } from '../data-access.ts';
import { ApiProblem } from '../errors.ts';
import { metricDimension } from '../modules/usage/usage-units.ts';
import type { NewUsageRecord } from '../modules/usage/usage.repository.ts';
import { authenticateBroker } from './broker-auth.ts';

type Deps = { repos: Pick<Repositories, 'clusters' | 'usage'> };

/** Takes the usage brokers report: each sample stored once under its id, in metering's base unit. */
export function usageIngestService({ repos }: Deps) {
  return {
    async ingest(token: string, report: UsageReport): Promise<UsageReportAck> {
      const cluster = await authenticateBroker(repos, report.clusterId, token);
      const rows: NewUsageRecord[] = [];
      const principals = new Set<string>();
      for (const s of report.samples) {
        if (s.clusterId !== report.clusterId) throw new ApiProblem('FJ_VALIDATION', `sample ${s.id} is of cluster ${s.clusterId}, not the report's ${report.clusterId}`);
        const start = new Date(s.start);
        const end = new Date(s.end);
        if (end < start) throw new ApiProblem('FJ_VALIDATION', `sample ${s.id} ends before it starts`);
        const dimension = metricDimension[s.metric];
        if (!dimension) continue;
        const value = BigInt(s.quantity);
        const quantity = isTimeDimension(dimension) ? integrate(value, end.getTime() - start.getTime()) : value;
        if (s.principal) principals.add(s.principal);
        rows.push({ id: s.id, orgId: cluster.orgId, clusterId: cluster.id, dimension, quantity, start, end, topic: s.topic ?? null, apiKeyId: s.principal ?? null });
      }
      // Traffic is reported by SASL username; the API speaks of key ids (the control plane's own credential has none).
      const keyIds = await repos.usage.apiKeyIds(cluster.id, [...principals]);
      for (const row of rows) row.apiKeyId = row.apiKeyId === null ? null : (keyIds.get(row.apiKeyId) ?? null);
      await repos.usage.record(rows);
      return { accepted: report.samples.map((s) => s.id) };
    },
  };
}
