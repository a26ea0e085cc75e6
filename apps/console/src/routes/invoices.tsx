import type { Invoice } from '@fjord/api';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { formatMicros } from '../data/format.ts';

/** A billing month as people say it ("December 2026"); periods are UTC calendar months. */
export function periodLabel(invoice: Invoice): string {
  return new Date(invoice.period.start).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export function InvoiceStatusBadge({ status }: { status: Invoice['status'] }) {
  return (
    <span className={`badge badge-invoice-${status}`} data-status={status}>
      {status === 'draft' ? 'Draft' : 'Finalized'}
    </span>
  );
}

/** The organization's invoices, newest first: the running month as a draft that grows with usage. */
export function Invoices() {
  const invoices = useQuery({ queryKey: ['invoices'], queryFn: async () => (await fjord.invoices.list()).items, refetchInterval: 30_000 });
  return (
    <section aria-labelledby="invoices-title">
      <header className="page-header">
        <h1 id="invoices-title">Invoices</h1>
      </header>
      <QueryState query={invoices} what="invoices" isEmpty={(items) => items.length === 0} empty={<p>No invoices yet: the running month's draft appears with the first cluster.</p>}>
        {(items) => (
          <table aria-label="Invoices">
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">Status</th>
                <th scope="col">Lines</th>
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {items.map((invoice) => (
                <tr key={invoice.id}>
                  <td>
                    <Link to={`/invoices/${invoice.id}`}>{periodLabel(invoice)}</Link>
                  </td>
                  <td>
                    <InvoiceStatusBadge status={invoice.status} />
                  </td>
                  <td>{invoice.lines.length}</td>
                  <td>{formatMicros(invoice.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <p className="muted">Amounts are in US dollars. The running month stays a draft until it ends; then it is finalized once and never changes.</p>
    </section>
  );
}
