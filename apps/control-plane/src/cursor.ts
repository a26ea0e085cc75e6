import { ApiProblem } from './errors.ts';

/** Cursors are opaque to clients: base64url of the last item's sort key. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, valid: (key: string) => boolean): string | undefined {
  if (cursor === undefined) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!valid(key)) {
    throw new ApiProblem('FJ_VALIDATION', 'the cursor is not one this list returned', [{ field: 'cursor', message: 'Invalid cursor' }]);
  }
  return key;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isUuid = (key: string) => uuidPattern.test(key);
export const isSequence = (key: string) => /^[0-9]{1,18}$/.test(key);

/** Turns `limit + 1` fetched rows into a page: the extra row only says that another page exists. */
export function toPage<Row, Item>(rows: Row[], limit: number, cursorOf: (row: Row) => string, toItem: (row: Row) => Item) {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(toItem), nextCursor: more ? encodeCursor(cursorOf(kept[kept.length - 1])) : null };
}
