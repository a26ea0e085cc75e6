import type { Invoice } from '@fjord/sdk';
import type { Context } from '../context.ts';
import { fields, table } from '../io/table.ts';

/** Micros of USD as dollars, exact to the micro (small amounts are the common case on a laptop). */
const usd = (micros: number) => `$${(micros / 1e6).toFixed(6)}`;
const period = (i: Invoice) => `${i.period.start.slice(0, 10)} .. ${i.period.end.slice(0, 10)}`;

export async function list(ctx: Context) {
  const result = await ctx.api().invoices.list();
  ctx.io.result(result.items, () => table(['id', 'period', 'status', 'lines', 'total'], result.items.map((i) => [i.id, period(i), i.status, i.lines.length, usd(i.total)])));
}

export async function get(ctx: Context, id: string) {
  const api = ctx.api();
  const invoice = await api.invoices.get(id);
  const names = new Map<string, string>();
  for await (const c of api.clusters.all()) names.set(c.id, c.name);
  ctx.io.result(invoice, () =>
    [
      fields([
        ['id', invoice.id],
        ['period', period(invoice)],
        ['status', invoice.status],
        ['total', usd(invoice.total)],
      ]),
      '',
      table(
        ['cluster', 'dimension', 'quantity', 'unit', 'price', 'amount'],
        invoice.lines.map((l) => [names.get(l.clusterId) ?? l.clusterId, l.dimension, l.quantity, l.unit, `${usd(l.unitPrice)} / ${l.priceUnit}`, usd(l.amount)]),
      ),
    ].join('\n'),
  );
}
