import { ObjectStoreError } from './errors.ts';
import { MAX_LIST_LIMIT, type ListOptions } from './object-store.ts';

/** Top-level directory where the filesystem store stages writes before renaming them into place. */
export const STAGING_DIR = '.tmp';

/** S3's limit on key length, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/**
 * Keys are checked the same way on every backend, so code that works on the filesystem store
 * works on S3: `a/b/c` with no empty, `.` or `..` segment, no leading or trailing `/`, no control
 * characters, and not under `.tmp/`, where the filesystem store stages its writes.
 */
export function checkKey(key: string): void {
  const problem = keyProblem(key);
  if (problem) throw new ObjectStoreError('INVALID_KEY', key, problem);
}

function keyProblem(key: string): string | null {
  if (typeof key !== 'string' || key.length === 0) return 'empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (/[\u0000-\u001f\u007f\\]/.test(key)) return 'control character or backslash';
  const segments = key.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return 'empty, "." or ".." path segment';
  }
  if (segments[0] === STAGING_DIR) return `"${STAGING_DIR}/" is reserved`;
  return null;
}

/** Prefixes follow the key rules, except that they may be empty or end with `/`. */
export function checkPrefix(prefix: string): void {
  if (prefix === '') return;
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const problem = keyProblem(body);
  if (problem) throw new ObjectStoreError('INVALID_KEY', prefix, `prefix: ${problem}`);
}

export function checkListLimit(options: ListOptions | undefined): number {
  const limit = options?.limit ?? MAX_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new ObjectStoreError('INVALID_ARGUMENT', undefined, `list limit must be 1..${MAX_LIST_LIMIT}, got ${limit}`);
  }
  return limit;
}

export function checkRange(key: string, start: number, endInclusive: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endInclusive) || start < 0 || endInclusive < start) {
    throw new ObjectStoreError('INVALID_ARGUMENT', key, `bad range ${start}-${endInclusive}`);
  }
}
