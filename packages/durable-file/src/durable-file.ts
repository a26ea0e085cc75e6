import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Makes the creation, deletion or renaming of entries in `dir` survive a crash: fsyncing a file
 * makes its bytes durable, not the directory entry that names it.
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface WriteFileDurablyOptions {
  /** Permissions of the new file; private by default, as these files hold state, keys and configs. */
  mode?: number;
}

/**
 * Replaces `file` so that a crash leaves either its old or its new contents, never a mix or an
 * empty file, and so that once this resolves the new contents survive a crash. Concurrent writes
 * to the same file each use their own temporary file; the last rename wins.
 */
export async function writeFileDurably(file: string, data: string | Uint8Array, { mode = 0o600 }: WriteFileDurablyOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncDirectory(dir);
}
