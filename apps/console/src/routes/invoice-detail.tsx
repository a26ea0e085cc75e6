import type { Invoice } from '@fjord/api';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { formatMicros } from '../data/format.ts';
import { dimensions } from '../data/usage-series.ts';
import { InvoiceStatusBadge, periodLabel } from './invoices.tsx';

/** Hands text to the browser as a file download, without leaving the page. */
function saveFile(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // The click has started the download by the time the next task runs.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function quantityOf(line: Invoice['lines'][number]): string {
  const dimension = dimensions.find((d) => d.dimension === line.dimension);
  return dimension ? dimension.format(Number(line.quantity)) : `${line.quantity} ${line.unit}`;
}

/** One invoice: its priced lines, the total, and its lines as CSV (fetched through the API). */
export function InvoiceDetail() {
  const { id = '' } = useParams();
  const invoice = useQuery({ queryKey: ['invoices', id], queryFn: () => fjord.invoices.get(id) });
  const clusters = useQuery({ queryKey: ['clusters'], queryFn: async () => (await fjord.clusters.list({ limit: 100 })).items });
  const clusterName = (clusterId: string) => clusters.data?.find((c) => c.id === clusterId)?.name ?? clusterId;
  const download = useMutation({
    mutationFn: async (inv: Invoice) => saveFile(`fjord-invoice-${inv.period.start.slice(0, 7)}.csv`, 'text/csv', await fjord.invoices.csv(inv.id)),
  });
  return (
    <section aria-labelledby="invoice-title">
      <QueryState query={invoice} what="the invoice">
        {(inv) => (
          <>
            <header className="page-header">
              <div>
                <p className="breadcrumb">
                  <Link to="/invoices">Invoices</Link> /
                </p>
                <h1 id="invoice-title">
                  {periodLabel(inv)} <InvoiceStatusBadge status={inv.status} />
                </h1>
              </div>
              <button type="button" className="button-secondary" onClick={() => download.mutate(inv)} disabled={download.isPending}>
                Download CSV
              </button>
            </header>
            <ProblemAlert error={download.error} title="Could not download the CSV" />
            <p className="muted">
              {new Date(inv.period.start).toLocaleDateString(undefined, { timeZone: 'UTC' })} – {new Date(inv.period.end).toLocaleDateString(undefined, { timeZone: 'UTC' })} (UTC)
              {inv.status === 'draft' && ': a draft, updated as usage is metered until the month ends.'}
            </p>
            {inv.lines.length === 0 ? (
              <div className="empty-state">
                <p>Nothing billed in this period yet.</p>
              </div>
            ) : (
              <table aria-label="Invoice lines">
                <thead>
                  <tr>
                    <th scope="col">Cluster</th>
                    <th scope="col">Usage</th>
                    <th scope="col">Quantity</th>
                    <th scope="col">Unit price</th>
                    <th scope="col">Amount</th>
                  </tr>
                </thead>
                <tbody>
                  {inv.lines.map((line) => (
                    <tr key={`${line.clusterId}/${line.dimension}`}>
                      <td>{clusterName(line.clusterId)}</td>
                      <td>{dimensions.find((d) => d.dimension === line.dimension)?.label ?? line.dimension}</td>
                      <td>{quantityOf(line)}</td>
                      <td>
                        {formatMicros(line.unitPrice)} / {line.priceUnit}
                      </td>
                      <td>{formatMicros(line.amount)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colSpan={4}>
                      Total ({inv.currency})
                    </th>
                    <td data-testid="invoice-total">{formatMicros(inv.total)}</td>
                  </tr>
                </tfoot>
              </table>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}
