import type { Invoice, InvoiceList } from '@fjord/api';
import {
  billingPeriodOf,
  clusterTimeIn,
  computeInvoice,
  formatQuantity,
  priceBook,
  type BillableUsage,
  type BillingPeriod,
  type Dimension,
  type InvoiceAmounts,
  type PricedPlan,
} from '@fjord/metering';
import type { AuthContext } from '../../auth-context.ts';
import type { Repositories, Transact } from '../../data-access.ts';
import { notFound } from '../../errors.ts';
import { authorize } from '../../permissions.ts';
import type { MeteredClusterRow } from '../usage/metered-clusters.repository.ts';
import { unitOf } from '../usage/usage-units.ts';
import type { UsageTotal } from './invoices.repository.ts';

type Deps = { repos: Pick<Repositories, 'invoices' | 'meteredClusters'>; transact: Transact; clock: () => Date };
type InvoiceRow = Awaited<ReturnType<Repositories['invoices']['get']>> & {};

/** A finalized invoice's lines as stored: metering's lines with integers as strings. */
interface StoredLine {
  clusterId: string;
  dimension: Dimension;
  quantity: string;
  unitPrice: string;
  priceUnit: string;
  amount: string;
}

const periodOf = (row: { periodStart: Date; periodEnd: Date }): BillingPeriod => ({ start: row.periodStart.getTime(), end: row.periodEnd.getTime() });

function toInvoice(row: InvoiceRow, lines: StoredLine[], subtotal: bigint, total: bigint): Invoice {
  return {
    id: row.id,
    period: { start: row.periodStart.toISOString(), end: row.periodEnd.toISOString() },
    status: row.status,
    currency: 'USD',
    lines: lines.map((l) => ({
      clusterId: l.clusterId,
      dimension: l.dimension,
      quantity: formatQuantity(l.dimension, BigInt(l.quantity)),
      unit: unitOf(l.dimension),
      unitPrice: Number(l.unitPrice),
      priceUnit: l.priceUnit,
      amount: Number(l.amount),
    })),
    subtotal: Number(subtotal),
    total: Number(total),
  };
}

const storedLines = (amounts: InvoiceAmounts): StoredLine[] =>
  amounts.lines.map((l) => ({ clusterId: l.clusterId, dimension: l.dimension, quantity: l.quantity.toString(), unitPrice: l.unitPrice.toString(), priceUnit: l.priceUnit, amount: l.amount.toString() }));

interface BilledClusters {
  /** Clusters that lived in the period: billed cluster-hours. */
  living: MeteredClusterRow[];
  /** The plan of every cluster on the invoice. */
  plans: Map<string, PricedPlan>;
}

/** Clusters billed in the period: those that lived in it, and any whose (late) usage is on the invoice. */
async function clustersFor(repos: Pick<Repositories, 'meteredClusters'>, orgId: string, period: BillingPeriod, usage: UsageTotal[]): Promise<BilledClusters> {
  const living = await repos.meteredClusters.livingIn(orgId, new Date(period.start), new Date(period.end));
  const plans = new Map(living.map((c) => [c.clusterId, c.plan as PricedPlan]));
  for (const id of new Set(usage.map((u) => u.clusterId))) {
    if (plans.has(id)) continue;
    const row = await repos.meteredClusters.get(orgId, id);
    if (row) plans.set(id, row.plan as PricedPlan);
  }
  return { living, plans };
}

/** Usage totals plus each living cluster's hours in the period (up to `now`), priced at each cluster's plan. */
function price(usage: UsageTotal[], { living, plans }: BilledClusters, period: BillingPeriod, now: number): InvoiceAmounts {
  const billable: BillableUsage[] = usage.map((u) => ({ clusterId: u.clusterId, dimension: u.dimension as Dimension, quantity: BigInt(u.quantity) }));
  for (const c of living) {
    const lifetime = { clusterId: c.clusterId, createdAt: c.createdAt.getTime(), deletedAt: c.deletedAt?.getTime() };
    billable.push({ clusterId: c.clusterId, dimension: 'cluster_hours', quantity: clusterTimeIn(lifetime, period, now) });
  }
  return computeInvoice(billable, (clusterId) => priceBook[plans.get(clusterId) ?? 'basic'] ?? priceBook.basic);
}

export function invoicesService({ repos, transact, clock }: Deps) {
  async function view(row: InvoiceRow): Promise<Invoice> {
    if (row.status === 'finalized') return toInvoice(row, row.lines as unknown as StoredLine[], row.subtotal ?? 0n, row.total ?? 0n);
    const period = periodOf(row);
    const withLate = !(await repos.invoices.hasEarlierDraft(row.orgId, row.periodStart));
    const usage = await repos.invoices.unbilledTotals(row.orgId, row.periodStart, row.periodEnd, withLate);
    const amounts = price(usage, await clustersFor(repos, row.orgId, period, usage), period, clock().getTime());
    return toInvoice(row, storedLines(amounts), amounts.subtotal, amounts.total);
  }

  return {
    async list(ctx: AuthContext): Promise<InvoiceList> {
      authorize(ctx, 'billing:read');
      const current = billingPeriodOf(clock().getTime());
      await repos.invoices.ensure([{ orgId: ctx.orgId, periodStart: new Date(current.start), periodEnd: new Date(current.end) }]);
      const rows = await repos.invoices.list(ctx.orgId);
      return { items: await Promise.all(rows.map(view)) };
    },

    async get(ctx: AuthContext, id: string): Promise<Invoice> {
      authorize(ctx, 'billing:read');
      const row = await repos.invoices.get(ctx.orgId, id);
      if (!row) throw notFound('invoice', id);
      return view(row);
    },

    /**
     * Opens the drafts of months with usage or living clusters, then finalizes every draft whose
     * month has ended, oldest first. Runs on the reconciler's leader only; finalizing is once per
     * invoice (a second run finds no draft). Answers the ids finalized.
     */
    async finalizeDue(): Promise<string[]> {
      const now = clock();
      const current = billingPeriodOf(now.getTime());
      const open = new Map<string, { orgId: string; periodStart: Date; periodEnd: Date }>();
      const add = (orgId: string, at: number) => {
        const p = billingPeriodOf(at);
        open.set(`${orgId}/${p.start}`, { orgId, periodStart: new Date(p.start), periodEnd: new Date(p.end) });
      };
      for (const { orgId, month } of await repos.invoices.unbilledMonths()) {
        add(orgId, month.getTime());
        // Usage of a finalized month is billed in a later one: make sure there is one.
        add(orgId, current.start);
      }
      // Months a cluster lived in, back to a year ago (a control plane down over a month end still bills it).
      const since = current.start - 366 * 24 * 3600 * 1000;
      for (const c of await repos.meteredClusters.livingSince(new Date(since))) {
        const end = Math.min(c.deletedAt?.getTime() ?? Infinity, now.getTime());
        for (let p = billingPeriodOf(Math.max(c.createdAt.getTime(), since)); p.start < end; p = billingPeriodOf(p.end)) add(c.orgId, p.start);
      }
      await repos.invoices.ensure([...open.values()]);

      const finalized: string[] = [];
      for (const due of await repos.invoices.dueDrafts(now)) {
        const done = await transact(async (tx) => {
          await tx.invoices.bill(due.orgId, due.id, due.periodEnd);
          const usage = await tx.invoices.billedTotals(due.orgId, due.id);
          const period = periodOf(due);
          const amounts = price(usage, await clustersFor(tx, due.orgId, period, usage), period, period.end);
          return tx.invoices.finalize(due.orgId, due.id, { lines: storedLines(amounts) as never, subtotal: amounts.subtotal, total: amounts.total, finalizedAt: now });
        });
        if (done) finalized.push(due.id);
      }
      return finalized;
    },
  };
}
