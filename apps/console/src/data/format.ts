const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // Byte-hours of a few seconds' storage are fractions of a byte.
  const shown = unit > 0 ? value.toFixed(1) : Number.isInteger(value) ? value : +value.toPrecision(3);
  return `${shown} ${units[unit]}`;
}

/** Millionths of a dollar, as prices and invoices keep money: exact, with cents always and further digits only when there are any. */
export function formatMicros(micros: number): string {
  const dollars = Math.floor(micros / 1_000_000).toLocaleString('en-US');
  const fraction = String(micros % 1_000_000).padStart(6, '0').replace(/(\d{2}\d*?)0*$/, '$1');
  return `$${dollars}.${fraction}`;
}

/** Hours as metered (six decimals): whole hundredths, or three significant digits below one hour. */
export function formatHours(hours: number): string {
  return `${hours === 0 || hours >= 1 ? +hours.toFixed(2) : +hours.toPrecision(3)} h`;
}

export function formatDuration(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 24 ? `${+(hours / 24).toFixed(1)} days` : `${+hours.toFixed(1)} hours`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}
