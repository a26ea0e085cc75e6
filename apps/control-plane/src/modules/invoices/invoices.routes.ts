import { endpoints, type Invoice } from '@fjord/api';
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../composition.ts';
import { toCsv } from '../../csv.ts';
import { route } from '../../routing.ts';

/** One row per line, each naming its invoice, so exports of several months concatenate. */
const invoiceCsv = (invoice: Invoice) =>
  toCsv(
    ['invoice_id', 'period_start', 'period_end', 'status', 'cluster_id', 'dimension', 'quantity', 'unit', 'unit_price_micros', 'price_unit', 'amount_micros'],
    invoice.lines.map((l) => [invoice.id, invoice.period.start, invoice.period.end, invoice.status, l.clusterId, l.dimension, l.quantity, l.unit, l.unitPrice, l.priceUnit, l.amount]),
  );

export const invoicesRoutes: FastifyPluginAsync<{ services: Pick<Services, 'invoices'> }> = async (app, { services }) => {
  route(app, endpoints.listInvoices, (_input, req) => services.invoices.list(req.ctx));
  route(app, endpoints.getInvoice, ({ params }, req) => services.invoices.get(req.ctx, params.id), {}, { csv: invoiceCsv });
};
