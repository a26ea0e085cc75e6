import { describe, expect, it } from 'vitest';
import { assignmentOf, partitionCount, type Assignment } from '../src/groups/assignment.ts';
import { rangeAssignor } from '../src/groups/assignors/range.ts';
import { uniformAssignor } from '../src/groups/assignors/uniform.ts';

const members = (spec: Record<string, { topics: string[]; target?: Assignment }>) =>
  Object.entries(spec).map(([memberId, { topics, target }]) => ({ memberId, topicIds: new Set(topics), target: target ?? new Map() }));
const flat = (a: Assignment | undefined) => [...(a ?? new Map())].flatMap(([t, ps]) => [...ps].map((p) => `${t}:${p}`)).sort();

describe('server-side assignors', () => {
  it('uniform: balances members that subscribe to different topics, every partition once', () => {
    const topics = new Map([['a', 4], ['b', 2]]);
    const target = uniformAssignor.assign({ members: members({ m1: { topics: ['a'] }, m2: { topics: ['a', 'b'] }, m3: { topics: ['b'] } }), topics });
    const all = [...target.values()].flatMap(flat);
    expect(all.sort()).toEqual(['a:0', 'a:1', 'a:2', 'a:3', 'b:0', 'b:1']);
    expect([...target.values()].map(partitionCount)).toEqual([2, 2, 2]);
    expect(flat(target.get('m1')).every((p) => p.startsWith('a:'))).toBe(true);
    expect(flat(target.get('m3')).every((p) => p.startsWith('b:'))).toBe(true);
  });

  it('uniform: a member joining takes only its share, everyone else keeps what it had', () => {
    const topics = new Map([['t', 9]]);
    const before = uniformAssignor.assign({ members: members({ m1: { topics: ['t'] }, m2: { topics: ['t'] } }), topics });
    const after = uniformAssignor.assign({
      members: members({ m1: { topics: ['t'], target: before.get('m1') }, m2: { topics: ['t'], target: before.get('m2') }, m3: { topics: ['t'] } }),
      topics,
    });
    expect([...after.values()].map(partitionCount)).toEqual([3, 3, 3]);
    for (const m of ['m1', 'm2']) expect(flat(before.get(m)).filter((p) => flat(after.get(m)).includes(p))).toEqual(flat(after.get(m)));
  });

  it('uniform: drops partitions of topics that are gone or no longer subscribed', () => {
    const stale = assignmentOf([{ topicId: 'gone', partitions: [0] }, { topicId: 't', partitions: [0, 1, 5] }]);
    const target = uniformAssignor.assign({ members: members({ m1: { topics: ['t'], target: stale } }), topics: new Map([['t', 2]]) });
    expect(flat(target.get('m1'))).toEqual(['t:0', 't:1']);
  });

  it('range: contiguous ranges per topic in member-id order, the first members taking the remainder', () => {
    const target = rangeAssignor.assign({ members: members({ b: { topics: ['x', 'y'] }, a: { topics: ['x', 'y'] }, c: { topics: ['x'] } }), topics: new Map([['x', 7], ['y', 3]]) });
    expect(flat(target.get('a'))).toEqual(['x:0', 'x:1', 'x:2', 'y:0', 'y:1']);
    expect(flat(target.get('b'))).toEqual(['x:3', 'x:4', 'y:2']);
    expect(flat(target.get('c'))).toEqual(['x:5', 'x:6']);
  });
});
