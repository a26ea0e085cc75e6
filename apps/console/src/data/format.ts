const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Millionths of a dollar, as prices are kept. */
export function formatMicros(micros: number): string {
  return `$${(micros / 1_000_000).toFixed(micros % 10_000 === 0 ? 2 : 4)}`;
}

export function formatDuration(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 24 ? `${+(hours / 24).toFixed(1)} days` : `${+hours.toFixed(1)} hours`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}
