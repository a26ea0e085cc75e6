export { dimensions, formatQuantity, HOUR_MS, integrate, isTimeDimension, type Dimension } from './dimensions.ts';
export { price, priceBook, unitPrice, type PricedPlan, type Prices, type UnitPrice } from './price-book.ts';
export { aggregate, bucketStart, type Granularity, type GroupBy, type UsageBucket, type UsageRecord } from './aggregate.ts';
export { billingPeriodOf, clusterTimeIn, nextBillingPeriod, type BillingPeriod, type ClusterLifetime } from './billing-period.ts';
export { computeInvoice, type BillableUsage, type InvoiceAmounts, type InvoiceLine } from './invoice.ts';
