/**
 * What Fjord bills for. Quantities are integers in a base unit: bytes for the byte counters, and
 * for the `*_hours` dimensions the unit times milliseconds (byte-ms, partition-ms, cluster-ms), so
 * a gauge sampled every few seconds integrates exactly and hours are only a way of showing it.
 */
export const dimensions = [
  'ingress_bytes',
  'egress_bytes',
  'storage_hot_byte_hours',
  'storage_cold_byte_hours',
  'partition_hours',
  'cluster_hours',
] as const;
export type Dimension = (typeof dimensions)[number];

export const HOUR_MS = 3_600_000n;

const timeDimensions: ReadonlySet<Dimension> = new Set(['storage_hot_byte_hours', 'storage_cold_byte_hours', 'partition_hours', 'cluster_hours']);

/** Whether the dimension is a gauge integrated over time (its base unit carries milliseconds). */
export function isTimeDimension(dimension: Dimension): boolean {
  return timeDimensions.has(dimension);
}

/** A gauge's value held for `durationMs`, in the base unit of its time dimension. */
export function integrate(value: bigint, durationMs: number): bigint {
  if (value < 0n || !Number.isSafeInteger(durationMs) || durationMs < 0) throw new RangeError('a gauge integrates a non-negative value over a non-negative whole duration');
  return value * BigInt(durationMs);
}

const DISPLAY_DECIMALS = 6;
const DISPLAY_SCALE = 10n ** BigInt(DISPLAY_DECIMALS);

/**
 * The quantity in the unit the dimension is named for, as a decimal string: bytes as they are,
 * time dimensions in hours with six decimals (truncated; billing uses the exact base quantity).
 */
export function formatQuantity(dimension: Dimension, quantity: bigint): string {
  if (!isTimeDimension(dimension)) return quantity.toString();
  const whole = quantity / HOUR_MS;
  const fraction = ((quantity % HOUR_MS) * DISPLAY_SCALE) / HOUR_MS;
  return `${whole}.${fraction.toString().padStart(DISPLAY_DECIMALS, '0')}`;
}
