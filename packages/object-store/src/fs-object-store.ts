import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ObjectStoreError } from './errors.ts';
import { checkKey, checkListLimit, checkPrefix, checkRange, STAGING_DIR } from './keys.ts';
import type { ListOptions, ListPage, ObjectStore, PutOptions } from './object-store.ts';

/**
 * Objects as files under `root`: key `a/b/c` is the file `root/a/b/c`. A put is written to a
 * staging file, synced and renamed into place, so readers see the old object or the new one,
 * never a part. One limit S3 does not have: `a` and `a/b` cannot both exist.
 */
export class FsObjectStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    if (typeof root !== 'string' || root === '') throw new ObjectStoreError('INVALID_CONFIG', undefined, 'root is required');
    this.root = resolve(root);
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions = {}): Promise<void> {
    const path = this.#path(key);
    const staging = join(this.root, STAGING_DIR);
    await mkdir(staging, { recursive: true });
    const temp = join(staging, randomUUID());
    try {
      const handle = await open(temp, 'w');
      let written: number;
      try {
        written = await writeBody(handle, body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (options.contentLength !== undefined && written !== options.contentLength) {
        throw new ObjectStoreError('INVALID_ARGUMENT', key, `body has ${written} bytes, contentLength says ${options.contentLength}`);
      }
      await this.#moveIntoPlace(temp, path, key);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** A concurrent delete may prune the directory between mkdir and rename, hence the retries. */
  async #moveIntoPlace(temp: string, path: string, key: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(dirname(path), { recursive: true });
        await rename(temp, path);
        await syncDir(dirname(path));
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && attempt < 3) continue;
        if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') {
          throw new ObjectStoreError('INVALID_KEY', key, 'a key cannot also be the prefix of another key here', { cause: error });
        }
        throw error;
      }
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.#path(key));
    } catch (error) {
      throw mapMissing(error, key);
    }
  }

  async getRange(key: string, start: number, endInclusive: number): Promise<Buffer> {
    checkRange(key, start, endInclusive);
    const handle = await this.#openFile(key);
    try {
      const { size } = await handle.stat();
      if (start >= size) throw new ObjectStoreError('INVALID_RANGE', key, `start ${start}, size ${size}`);
      const length = Math.min(endInclusive, size - 1) - start + 1;
      const buf = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buf, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buf.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async getStream(key: string): Promise<Readable> {
    const handle = await this.#openFile(key);
    return handle.createReadStream();
  }

  async head(key: string): Promise<{ size: number } | null> {
    try {
      const stats = await stat(this.#path(key));
      return stats.isFile() ? { size: stats.size } : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    checkPrefix(prefix);
    const limit = checkListLimit(options);
    const after = options?.cursor === undefined ? null : decodeCursor(options.cursor);
    const keys = (await this.#keysUnder(prefix)).filter((key) => after === null || compareKeys(key, after) > 0);
    const page = keys.slice(0, limit);
    return keys.length > limit ? { keys: page, nextCursor: encodeCursor(page[page.length - 1]) } : { keys: page };
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    try {
      await unlink(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Deleting a missing object succeeds, as on S3; a directory is only a prefix, not an object.
      if (isMissing(error) || code === 'EISDIR' || code === 'EPERM') return;
      throw error;
    }
    await this.#pruneEmptyParents(dirname(path));
  }

  async deletePrefix(prefix: string): Promise<number> {
    checkPrefix(prefix);
    const keys = await this.#keysUnder(prefix);
    for (const key of keys) await this.delete(key);
    return keys.length;
  }

  async close(): Promise<void> {}

  #path(key: string): string {
    checkKey(key);
    return join(this.root, ...key.split('/'));
  }

  async #openFile(key: string): Promise<FileHandle> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path(key), 'r');
    } catch (error) {
      throw mapMissing(error, key);
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new ObjectStoreError('NOT_FOUND', key);
    }
    return handle;
  }

  /** Every key starting with `prefix`, sorted. Walks only the directories whose names can match. */
  async #keysUnder(prefix: string): Promise<string[]> {
    const slash = prefix.lastIndexOf('/');
    const base = slash === -1 ? '' : prefix.slice(0, slash + 1);
    const keys: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(join(this.root, ...relative.split('/').filter(Boolean)), { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        const key = relative + entry.name;
        if (relative === '' && entry.name === STAGING_DIR) continue;
        if (entry.isDirectory()) {
          if (key.startsWith(prefix)) await walk(key + '/');
        } else if (entry.isFile() && key.startsWith(prefix)) {
          keys.push(key);
        }
      }
    };
    await walk(base);
    return keys.sort(compareKeys);
  }

  async #pruneEmptyParents(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.root + '/') && current !== this.root) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty, already gone, or in use: either way the tree is fine
      }
      current = dirname(current);
    }
  }
}

async function writeBody(handle: FileHandle, body: Buffer | Readable): Promise<number> {
  if (Buffer.isBuffer(body)) {
    await handle.writeFile(body);
    return body.length;
  }
  let written = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string | Uint8Array);
    await handle.write(bytes);
    written += bytes.length;
  }
  return written;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function mapMissing(error: unknown, key: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  return isMissing(error) || code === 'EISDIR' ? new ObjectStoreError('NOT_FOUND', key, undefined, { cause: error }) : error;
}

/** S3 lists keys in UTF-8 byte order. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function encodeCursor(key: string): string {
  return Buffer.from(key).toString('base64url');
}

function decodeCursor(cursor: string): string {
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]*$/.test(cursor)) {
    throw new ObjectStoreError('INVALID_ARGUMENT', undefined, 'malformed list cursor');
  }
  return Buffer.from(cursor, 'base64url').toString();
}
