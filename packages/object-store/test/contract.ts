import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isNotFound, type ObjectStore } from '@fjord/object-store';

export interface ContractSubject {
  store: ObjectStore;
  /** Removes everything the test stored. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function bytes(length: number, seed = 1): Buffer {
  const buf = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    buf[i] = x >>> 24;
  }
  return buf;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** One behaviour for every backend: the same suite runs against the filesystem and an S3 API server. */
export function objectStoreContract(name: string, start: () => Promise<ContractSubject>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: ObjectStore;

    beforeAll(async () => {
      subject = await start();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.stop();
    });
    beforeEach(async () => {
      await subject.reset();
    });

    it('puts, gets, overwrites and heads objects', async () => {
      const body = bytes(100_000);
      await store.put('clusters/c1/segments/0.log', body);
      expect(await store.get('clusters/c1/segments/0.log')).toEqual(body);
      expect(await store.head('clusters/c1/segments/0.log')).toEqual({ size: 100_000 });
      await store.put('clusters/c1/segments/0.log', Buffer.from('short'));
      expect((await store.get('clusters/c1/segments/0.log')).toString()).toBe('short');
      await store.put('empty', Buffer.alloc(0));
      expect(await store.get('empty')).toEqual(Buffer.alloc(0));
      expect(await store.head('missing')).toBeNull();
      expect(await store.head('clusters/c1')).toBeNull();
    });

    it('stores streams of unknown and of declared length', async () => {
      const big = bytes(6 * 1024 * 1024 + 123, 7);
      const chunks = Array.from({ length: Math.ceil(big.length / 65_536) }, (_, i) => big.subarray(i * 65_536, (i + 1) * 65_536));
      await store.put('streams/unknown', Readable.from(chunks));
      expect((await store.get('streams/unknown')).equals(big)).toBe(true);
      const small = bytes(10_000, 3);
      await store.put('streams/known', Readable.from([small.subarray(0, 4000), small.subarray(4000)]), {
        contentLength: small.length,
      });
      expect(await store.get('streams/known')).toEqual(small);
      expect((await drain(await store.getStream('streams/unknown'))).equals(big)).toBe(true);
    });

    it('reads byte ranges', async () => {
      const body = bytes(1000);
      await store.put('range', body);
      expect(await store.getRange('range', 0, 0)).toEqual(body.subarray(0, 1));
      expect(await store.getRange('range', 100, 199)).toEqual(body.subarray(100, 200));
      expect(await store.getRange('range', 900, 5000)).toEqual(body.subarray(900));
      await expect(store.getRange('range', 1000, 1100)).rejects.toMatchObject({ code: 'INVALID_RANGE' });
      await expect(store.getRange('range', 10, 5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.getRange('nope', 0, 5)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('answers NOT_FOUND for missing objects', async () => {
      await store.put('a/b', Buffer.from('x'));
      for (const read of [() => store.get('a/missing'), () => store.get('a'), () => store.getStream('nothing/here')]) {
        const error = await read().then(
          () => null,
          (e: unknown) => e,
        );
        expect(isNotFound(error)).toBe(true);
      }
    });

    it('lists keys under a prefix in order, page by page', async () => {
      const keys = ['t/p0/00002', 't/p0/00000', 't/p1/00000', 't/p0/00001', 't/p0x', 'u/other', 't/p0/00003'];
      for (const key of keys) await store.put(key, Buffer.from(key));
      expect((await store.list('t/p0/')).keys).toEqual(['t/p0/00000', 't/p0/00001', 't/p0/00002', 't/p0/00003']);
      expect((await store.list('t/p0')).keys).toEqual([
        't/p0/00000',
        't/p0/00001',
        't/p0/00002',
        't/p0/00003',
        't/p0x',
      ]);
      expect((await store.list('')).keys).toEqual([...keys].sort());
      expect(await store.list('none/')).toEqual({ keys: [] });

      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list('t/', { limit: 2, cursor });
        pages.push(page.keys);
        cursor = page.nextCursor;
      } while (cursor);
      expect(pages.flat()).toEqual(keys.filter((k) => k.startsWith('t/')).sort());
      expect(pages.every((page) => page.length <= 2)).toBe(true);
      expect(pages).toHaveLength(3);
      await expect(store.list('t/', { limit: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('deletes objects and prefixes', async () => {
      for (let i = 0; i < 25; i++) await store.put(`del/${String(i).padStart(3, '0')}`, Buffer.from([i]));
      await store.put('keep/1', Buffer.from('k'));
      await store.put('delicate', Buffer.from('d'));
      await store.delete('del/000');
      await store.delete('del/000');
      await store.delete('never/existed');
      expect(await store.head('del/000')).toBeNull();
      expect(await store.deletePrefix('del/')).toBe(24);
      expect((await store.list('')).keys).toEqual(['delicate', 'keep/1']);
      expect(await store.deletePrefix('del/')).toBe(0);
    });

    it('rejects keys that are not plain relative paths', async () => {
      for (const key of ['', '/abs', 'a/../b', '..', '../escape', 'a//b', 'a/', './a', 'a\\b', 'a\u0000b', '.tmp/x']) {
        await expect(store.put(key, Buffer.from('x')), key).rejects.toMatchObject({ code: 'INVALID_KEY' });
        await expect(store.get(key), key).rejects.toMatchObject({ code: 'INVALID_KEY' });
      }
      await expect(store.list('../')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    });

    it('keeps concurrent puts of one key whole', async () => {
      const bodies = Array.from({ length: 8 }, (_, i) => bytes(50_000, i + 1));
      await Promise.all(bodies.map((body) => store.put('race', body)));
      const stored = await store.get('race');
      expect(bodies.some((body) => body.equals(stored))).toBe(true);
    });
  });
}
