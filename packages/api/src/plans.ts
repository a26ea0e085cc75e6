import { z } from 'zod';

export const PlanName = z.enum(['basic', 'standard', 'dedicated']).meta({ id: 'PlanName' });
export type PlanName = z.infer<typeof PlanName>;

/** Money is an integer number of millionths of a US dollar, so sums never round. */
const Micros = z.number().int().nonnegative();

export const PlanLimits = z
  .object({
    ingressBytesPerSecond: z.number().int().positive().describe('Produce throughput of the whole cluster'),
    egressBytesPerSecond: z.number().int().positive().describe('Fetch throughput of the whole cluster'),
    maxPartitions: z.number().int().positive(),
    storageBytes: z.number().int().positive().describe('Hot (broker-local) storage'),
    maxRetentionMs: z.number().int().min(-1).describe('Longest topic retention; -1 is unlimited'),
    maxMessageBytes: z.number().int().positive(),
    maxConnections: z.number().int().positive(),
  })
  .meta({ id: 'PlanLimits' });
export type PlanLimits = z.infer<typeof PlanLimits>;

export const PlanPrices = z
  .object({
    currency: z.literal('USD'),
    clusterHourMicros: Micros.describe('Per cluster and hour it exists'),
    ingressGbMicros: Micros.describe('Per GB (10^9 bytes) produced'),
    egressGbMicros: Micros.describe('Per GB consumed'),
    hotStorageGbMonthMicros: Micros.describe('Per GB-month kept on brokers'),
    coldStorageGbMonthMicros: Micros.describe('Per GB-month kept in object storage'),
    partitionHourMicros: Micros.describe('Per partition and hour'),
  })
  .meta({ id: 'PlanPrices' });
export type PlanPrices = z.infer<typeof PlanPrices>;

export const Plan = z
  .object({
    name: PlanName,
    displayName: z.string(),
    description: z.string(),
    limits: PlanLimits,
    prices: PlanPrices,
    tiering: z.object({
      enabled: z.boolean(),
      localRetentionMs: z.number().int().describe('How long closed segments stay on the broker before they live only in object storage'),
    }),
  })
  .meta({ id: 'Plan' });
export type Plan = z.infer<typeof Plan>;

export const PlanList = z.object({ items: z.array(Plan) }).meta({ id: 'PlanList' });

// Throughput and storage are sized in decimal units, as Confluent, Aiven and Redpanda state theirs
// (100 MB/s is 10^8 bytes a second); message sizes in binary ones, as Kafka's own defaults are.
const MB = 1_000_000;
const TB = 1_000_000 * MB;
const MiB = 1024 * 1024;
const DAY = 24 * 3600 * 1000;

/** A plan without its prices, which live in @fjord/metering's price book (the control plane joins them). */
export type PlanDefinition = Omit<Plan, 'prices'>;

/**
 * The plan table: limits the brokers enforce and the tiering policy.
 * The one source for quotas, the console and the CLI.
 */
export const plans: Readonly<Record<PlanName, PlanDefinition>> = {
  basic: {
    name: 'basic',
    displayName: 'Basic',
    description: 'Development and small workloads',
    limits: {
      ingressBytesPerSecond: 100 * MB,
      egressBytesPerSecond: 300 * MB,
      maxPartitions: 1_000,
      storageBytes: 5 * TB,
      maxRetentionMs: 7 * DAY,
      maxMessageBytes: 8 * MiB,
      maxConnections: 1000,
    },
    tiering: { enabled: false, localRetentionMs: -1 },
  },
  standard: {
    name: 'standard',
    displayName: 'Standard',
    description: 'Production workloads with tiered storage',
    limits: {
      ingressBytesPerSecond: 250 * MB,
      egressBytesPerSecond: 750 * MB,
      maxPartitions: 4_096,
      storageBytes: 10 * TB,
      maxRetentionMs: 30 * DAY,
      maxMessageBytes: 8 * MiB,
      maxConnections: 10_000,
    },
    tiering: { enabled: true, localRetentionMs: DAY },
  },
  dedicated: {
    name: 'dedicated',
    displayName: 'Dedicated',
    description: 'Isolated capacity, unlimited retention',
    limits: {
      ingressBytesPerSecond: 1_000 * MB,
      egressBytesPerSecond: 3_000 * MB,
      maxPartitions: 10_000,
      storageBytes: 50 * TB,
      maxRetentionMs: -1,
      maxMessageBytes: 20 * MiB,
      maxConnections: 50_000,
    },
    tiering: { enabled: true, localRetentionMs: 6 * 3600 * 1000 },
  },
};
