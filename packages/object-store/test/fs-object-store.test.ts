import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createObjectStore, FsObjectStore } from '@fjord/object-store';
import { objectStoreContract } from './contract.ts';

objectStoreContract('filesystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'fjord-objects-'));
  const store = createObjectStore({ kind: 'fs', root });
  return {
    store,
    reset: async () => {
      for (const entry of await readdir(root)) await rm(join(root, entry), { recursive: true, force: true });
    },
    stop: () => rm(root, { recursive: true, force: true }),
  };
});

describe('filesystem object store', () => {
  it('keeps each key as a file under the root and leaves nothing behind when a stream fails', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fjord-objects-'));
    try {
      const store = new FsObjectStore(root);
      await store.put('clusters/c1/0.log', Buffer.from('hello'));
      expect(await readFile(join(root, 'clusters', 'c1', '0.log'), 'utf8')).toBe('hello');

      const failing = new Readable({
        read() {
          this.push(Buffer.alloc(1000));
          this.destroy(new Error('producer went away'));
        },
      });
      await expect(store.put('clusters/c1/1.log', failing)).rejects.toThrow('producer went away');
      await expect(store.put('clusters/c1/2.log', Readable.from([Buffer.from('abc')]), { contentLength: 4 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      expect(await store.head('clusters/c1/1.log')).toBeNull();
      expect(await readdir(join(root, '.tmp'))).toEqual([]);

      await store.delete('clusters/c1/0.log');
      expect(await readdir(root)).toEqual(['.tmp']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
