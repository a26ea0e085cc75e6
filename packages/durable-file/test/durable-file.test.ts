import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsyncDirectory, writeFileDurably } from '../src/index.ts';

/** The files this process has open under `dir`: a leaked handle shows up here, even once its file is gone. */
async function openFilesUnder(dir: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((t) => t.startsWith(dir));
}

describe('writeFileDurably', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'durable-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces the whole file, private by default, and leaves no temporary file', async () => {
    const file = path.join(dir, 'state.json');
    await writeFile(file, 'old contents that are longer than the new ones');
    await writeFileDurably(file, '{"v":2}');
    expect(await readFile(file, 'utf8')).toBe('{"v":2}');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.json']);
    await writeFileDurably(file, Buffer.from([1, 2, 3]), { mode: 0o644 });
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('lets concurrent writers of one file each finish whole, the last rename winning', async () => {
    const file = path.join(dir, 'state.json');
    const contents = Array.from({ length: 20 }, (_, i) => `writer ${i} `.repeat(1000 * (i + 1)));
    await Promise.all(contents.map((c) => writeFileDurably(file, c)));
    expect(contents).toContain(await readFile(file, 'utf8'));
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('on failure closes its handle, removes its temporary file and leaves the old contents', async () => {
    const file = path.join(dir, 'state.json');
    await writeFile(file, 'old');
    await expect(writeFileDurably(file, 42 as unknown as string)).rejects.toThrow();
    expect(await openFilesUnder(dir)).toEqual([]);
    expect(await readdir(dir)).toEqual(['state.json']);
    expect(await readFile(file, 'utf8')).toBe('old');
  });

  it('removes its temporary file when the rename fails', async () => {
    const occupied = path.join(dir, 'occupied');
    await mkdir(path.join(occupied, 'child'), { recursive: true });
    await expect(writeFileDurably(occupied, 'new')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    expect(await readdir(dir)).toEqual(['occupied']);
  });
});

describe('fsyncDirectory', () => {
  it('syncs an existing directory and refuses a missing one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'durable-dir-'));
    await expect(fsyncDirectory(dir)).resolves.toBeUndefined();
    await expect(fsyncDirectory(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    await rm(dir, { recursive: true });
  });
});
