import { Prisma } from '@fjord/db';
import type { Db } from '../../repository.ts';

export interface NewUsageRecord {
  id: string;
  orgId: string;
  clusterId: string;
  dimension: string;
  quantity: bigint;
  start: Date;
  end: Date;
  topic: string | null;
  apiKeyId: string | null;
}

/** Usage summed per UTC hour (and per topic and key), as metering aggregates it further. */
export interface HourlyUsage {
  clusterId: string;
  dimension: string;
  hour: Date;
  topic: string | null;
  apiKeyId: string | null;
  quantity: bigint;
}

export interface UsageRange {
  from: Date;
  to: Date;
  clusterId?: string;
}

export function usageRepository(db: Db) {
  return {
    /** Inserts the samples not seen before; a sample id already stored is skipped, so a retried report counts once. */
    async record(rows: NewUsageRecord[]): Promise<number> {
      if (rows.length === 0) return 0;
      // One array per column rather than a parameter per value: a report of thousands of samples is one short statement.
      const column = <K extends keyof NewUsageRecord>(k: K) => rows.map((r) => r[k]);
      return db.$executeRaw`
        INSERT INTO "UsageRecord" ("id", "orgId", "clusterId", "dimension", "quantity", "start", "end", "topic", "apiKeyId")
        SELECT * FROM unnest(${column('id')}::uuid[], ${column('orgId')}::uuid[], ${column('clusterId')}::uuid[], ${column('dimension')}::text[],
                             ${rows.map((r) => r.quantity.toString())}::bigint[], ${rows.map((r) => r.start.toISOString())}::timestamptz[],
                             ${rows.map((r) => r.end.toISOString())}::timestamptz[], ${column('topic')}::text[], ${column('apiKeyId')}::uuid[])
        ON CONFLICT ("id") DO NOTHING`;
    },
    /** The ids of these cluster API keys (SASL usernames) that still exist. */
    async apiKeyIds(clusterId: string, keys: string[]): Promise<Map<string, string>> {
      if (keys.length === 0) return new Map();
      const rows = await db.clusterApiKey.findMany({ where: { clusterId, key: { in: keys } }, select: { id: true, key: true } });
      return new Map(rows.map((r) => [r.key, r.id]));
    },
    /** Hourly sums of the organization's usage that happened in [from, to). */
    hourly(orgId: string, range: UsageRange): Promise<HourlyUsage[]> {
      const cluster = range.clusterId ? Prisma.sql`AND "clusterId" = ${range.clusterId}::uuid` : Prisma.empty;
      return db.$queryRaw<HourlyUsage[]>`
        SELECT "clusterId"::text AS "clusterId", "dimension", date_trunc('hour', "start", 'UTC') AS "hour", "topic", "apiKeyId"::text AS "apiKeyId",
               SUM("quantity")::bigint AS "quantity"
        FROM "UsageRecord"
        WHERE "orgId" = ${orgId}::uuid AND "start" >= ${range.from} AND "start" < ${range.to} ${cluster}
        GROUP BY 1, 2, 3, 4, 5`;
    },
  };
}
export type UsageRepository = ReturnType<typeof usageRepository>;
