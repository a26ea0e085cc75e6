import Table from 'cli-table3';

const borderless = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

/** A plain, kubectl-style table: upper-case headings, columns two spaces apart, no borders. */
export function table(head: string[], rows: (string | number | undefined | null)[][]): string {
  if (rows.length === 0) return 'No resources found.';
  const t = new Table({ head: head.map((h) => h.toUpperCase()), chars: borderless, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  for (const row of rows) t.push(row.map((cell) => (cell === undefined || cell === null ? '' : String(cell))));
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}

/** Key: value lines for one resource. */
export function fields(entries: [string, string | number | undefined | null][]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`)
    .join('\n');
}
