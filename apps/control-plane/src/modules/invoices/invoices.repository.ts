import type { Prisma } from '@fjord/db';
import type { Db } from '../../repository.ts';

export interface UsageTotal {
  clusterId: string;
  dimension: string;
  quantity: bigint;
}

export interface InvoicePeriod {
  orgId: string;
  periodStart: Date;
  periodEnd: Date;
}

export function invoicesRepository(db: Db) {
  return {
    /** Opens the draft of each of these months that has no invoice yet. */
    async ensure(periods: InvoicePeriod[]): Promise<void> {
      if (periods.length > 0) await db.invoice.createMany({ data: periods, skipDuplicates: true });
    },
    get: (orgId: string, id: string) => db.invoice.findFirst({ where: { orgId, id } }),
    /** Newest first. */
    list: (orgId: string) => db.invoice.findMany({ where: { orgId }, orderBy: { periodStart: 'desc' } }),
    /** Whether the organization has a draft for a month before `before` (usage billed late waits for it). */
    async hasEarlierDraft(orgId: string, before: Date): Promise<boolean> {
      return (await db.invoice.count({ where: { orgId, status: 'draft', periodStart: { lt: before } } })) > 0;
    },
    /**
     * Usage not billed yet that happened before `end`: from `start` on, or also earlier (usage that
     * arrived after its own month was finalized) when `withLate`.
     */
    unbilledTotals(orgId: string, start: Date, end: Date, withLate: boolean): Promise<UsageTotal[]> {
      return db.$queryRaw<UsageTotal[]>`
        SELECT "clusterId"::text AS "clusterId", "dimension", SUM("quantity")::bigint AS "quantity"
        FROM "UsageRecord"
        WHERE "orgId" = ${orgId}::uuid AND "invoiceId" IS NULL AND "start" < ${end} AND (${withLate} OR "start" >= ${start})
        GROUP BY 1, 2`;
    },
    /** Assigns every unbilled sample before `end` to the invoice, in one statement: a sample committed after it waits for the next month. */
    async bill(orgId: string, invoiceId: string, end: Date): Promise<void> {
      await db.$executeRaw`UPDATE "UsageRecord" SET "invoiceId" = ${invoiceId}::uuid WHERE "orgId" = ${orgId}::uuid AND "invoiceId" IS NULL AND "start" < ${end}`;
    },
    billedTotals(orgId: string, invoiceId: string): Promise<UsageTotal[]> {
      return db.$queryRaw<UsageTotal[]>`
        SELECT "clusterId"::text AS "clusterId", "dimension", SUM("quantity")::bigint AS "quantity"
        FROM "UsageRecord" WHERE "orgId" = ${orgId}::uuid AND "invoiceId" = ${invoiceId}::uuid
        GROUP BY 1, 2`;
    },
    /** Finalizes a draft once; false when it was finalized already. */
    async finalize(orgId: string, id: string, data: { lines: Prisma.InputJsonValue; subtotal: bigint; total: bigint; finalizedAt: Date }): Promise<boolean> {
      const { count } = await db.invoice.updateMany({ where: { orgId, id, status: 'draft' }, data: { ...data, status: 'finalized' } });
      return count === 1;
    },
    /** Drafts of months that have ended, oldest first: every organization's, for the finalizer. */
    dueDrafts: (now: Date) => db.invoice.findMany({ where: { status: 'draft', periodEnd: { lte: now } }, orderBy: [{ periodStart: 'asc' }, { orgId: 'asc' }] }),
    /** Organizations and months with usage not billed yet (for the finalizer). */
    unbilledMonths(): Promise<{ orgId: string; month: Date }[]> {
      return db.$queryRaw`SELECT DISTINCT "orgId"::text AS "orgId", date_trunc('month', "start", 'UTC') AS "month" FROM "UsageRecord" WHERE "invoiceId" IS NULL`;
    },
  };
}
