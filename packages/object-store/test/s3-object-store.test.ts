import { startFauxqs } from 'fauxqs';
import { describe, expect, it } from 'vitest';
import { createObjectStore } from '@fjord/object-store';
import { objectStoreContract } from './contract.ts';

/** fauxqs 1.9.2: an S3 API server in this process, over HTTP on 127.0.0.1, data in memory. */
async function startS3(bucket: string) {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  server.createBucket(bucket);
  const store = createObjectStore({
    kind: 's3',
    bucket,
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${server.port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return { server, store };
}

objectStoreContract('S3 (fauxqs)', async () => {
  const { server, store } = await startS3('contract');
  return {
    store,
    reset: async () => {
      await store.deletePrefix('');
    },
    stop: async () => {
      await store.close();
      await server.stop();
    },
  };
});

describe('S3 object store', () => {
  it('deletes a prefix of more than 1000 keys in batches', async () => {
    const { server, store } = await startS3('bulk');
    try {
      await Promise.all(Array.from({ length: 1001 }, (_, i) => store.put(`bulk/${i}`, Buffer.from([1]))));
      await store.put('other', Buffer.from([2]));
      const firstPage = await store.list('bulk/');
      expect(firstPage.keys).toHaveLength(1000);
      expect(firstPage.nextCursor).toBeDefined();
      expect(await store.deletePrefix('bulk/')).toBe(1001);
      expect((await store.list('')).keys).toEqual(['other']);
    } finally {
      await store.close();
      await server.stop();
    }
  });

  it('reports a missing bucket as the SDK error, not as a missing object', async () => {
    const { server, store } = await startS3('exists');
    const other = createObjectStore({
      kind: 's3',
      bucket: 'does-not-exist',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${server.port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      await expect(other.get('k')).rejects.toMatchObject({ name: 'NoSuchBucket' });
    } finally {
      await other.close();
      await store.close();
      await server.stop();
    }
  });
});
