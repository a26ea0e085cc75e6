import { appendFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OffsetStore } from '../src/groups/offset-store.ts';

const logger = pino({ level: 'silent' });

describe('OffsetStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fjord-offsets-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the last commit per partition across reopen, and forgets deleted groups', async () => {
    let store = await OffsetStore.open(dir, logger);
    await store.commit('g1', [
      { topic: 't', partition: 0, offset: 5n, metadata: null },
      { topic: 't', partition: 1, offset: 7n, metadata: 'm' },
    ]);
    await store.commit('g1', [{ topic: 't', partition: 0, offset: 9n, metadata: '' }]);
    await store.commit('g2', [{ topic: 't', partition: 0, offset: 1n, metadata: null }]);
    await store.deleteGroup('g2');
    await store.close();
    // A crash in the middle of a write leaves a torn last line; that commit was never acknowledged.
    await appendFile(path.join(dir, 'group-offsets.jsonl'), '{"g":"g1","t":"t","p":0,"o":"1');

    store = await OffsetStore.open(dir, logger);
    expect(store.get('g1', 't', 0)).toEqual({ offset: 9n, metadata: '' });
    expect(store.get('g1', 't', 1)).toEqual({ offset: 7n, metadata: 'm' });
    expect(store.groupIds()).toEqual(['g1']);
    await store.commit('g1', [{ topic: 't', partition: 2, offset: 3n, metadata: null }]);
    await store.close();

    store = await OffsetStore.open(dir, logger);
    expect(store.get('g1', 't', 2)).toEqual({ offset: 3n, metadata: null });
    expect(store.get('g1', 't', 0)).toEqual({ offset: 9n, metadata: '' });

    await store.commit('g1', [{ topic: 'other', partition: 0, offset: 4n, metadata: null }]);
    await store.forgetTopic('t');
    await store.close();
    store = await OffsetStore.open(dir, logger);
    expect(store.get('g1', 't', 0)).toBeUndefined();
    expect(store.get('g1', 'other', 0)).toEqual({ offset: 4n, metadata: null });
    await store.close();
  });

  it('deletes single partitions durably (OffsetDelete)', async () => {
    let store = await OffsetStore.open(dir, logger);
    await store.commit('g', [
      { topic: 't', partition: 0, offset: 5n, metadata: null },
      { topic: 't', partition: 1, offset: 6n, metadata: null },
    ]);
    await store.deleteOffsets('g', [{ topic: 't', partition: 0 }]);
    await store.close();
    store = await OffsetStore.open(dir, logger);
    expect(store.get('g', 't', 0)).toBeUndefined();
    expect(store.get('g', 't', 1)).toEqual({ offset: 6n, metadata: null });
    await store.deleteOffsets('g', [{ topic: 't', partition: 1 }]);
    expect(store.groupIds()).toEqual([]);
    await store.close();
  });

  it('leaves no temporary file behind when a compaction cannot replace the file', async () => {
    const store = await OffsetStore.open(dir, logger);
    await store.commit('g', [{ topic: 't', partition: 0, offset: 5n, metadata: null }]);
    // A directory where the file was makes the rename fail, as a full or failing disk would.
    const file = path.join(dir, 'group-offsets.jsonl');
    await rm(file);
    await mkdir(path.join(file, 'occupied'), { recursive: true });
    await expect(store.forgetTopic('t')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['group-offsets.jsonl']);
    await store.close();
  });
});
