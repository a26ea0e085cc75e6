import { describe, expect, it } from 'vitest';
import { FetchSessionCache } from '../src/fetch-sessions/fetch-session-cache.ts';

const topics = [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 }] }];

describe('the fetch session cache', () => {
  it('opens sessions up to its slots, then takes the slot of the one unused longest once it has idled past the eviction time', () => {
    let now = 0;
    const cache = new FetchSessionCache({ slots: 2, evictionMs: 1_000, now: () => now });
    const first = cache.open('alice', true, topics)!;
    now = 10;
    const second = cache.open('alice', true, topics)!;
    expect(first.id).not.toBe(second.id);
    expect(first.epoch).toBe(1);
    // Full, and no session has idled long enough: none is opened (the client goes on with full fetches).
    now = 500;
    expect(cache.open('bob', true, topics)).toBeUndefined();
    // Using the first makes the second the longest unused, and the one to go.
    cache.get(first.id, 'alice');
    now = 1_600;
    const third = cache.open('bob', true, topics)!;
    expect(third).toBeDefined();
    expect(cache.get(second.id, 'alice')).toBeUndefined();
    expect(cache.get(first.id, 'alice')).toBe(first);
    expect(cache.size).toBe(2);
  });

  it('gives a session only to the principal that opened it, and closes it only for that one', () => {
    const cache = new FetchSessionCache();
    const session = cache.open('alice', false, topics)!;
    expect(cache.get(session.id, 'bob')).toBeUndefined();
    cache.close(session.id, 'bob');
    expect(cache.get(session.id, 'alice')).toBe(session);
    cache.close(session.id, 'alice');
    expect(cache.get(session.id, 'alice')).toBeUndefined();
  });
});
