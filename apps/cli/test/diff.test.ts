import type { Cluster, ClusterApiKey, Topic } from '@fjord/sdk';
import { describe, expect, it } from 'vitest';
import type { Actual } from '../src/plan/actual.ts';
import { planApply, planDestroy } from '../src/plan/diff.ts';
import { renderPlan } from '../src/plan/render.ts';
import { parseStack } from '../src/plan/stack-file.ts';

const id = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const at = '2026-12-01T00:00:00.000Z';
const cluster = (name: string, over: Partial<Cluster> = {}): Cluster => ({
  id: id(1), name, plan: 'basic', region: 'local', status: 'RUNNING', bootstrapServers: '127.0.0.1:9092', settings: { autoCreateTopics: false }, createdAt: at, updatedAt: at, ...over,
});
const topic = (name: string, partitions: number, configs: Record<string, string> = {}): Topic => ({
  name, replicationFactor: 1, configs, partitions: Array.from({ length: partitions }, (_, partition) => ({ partition, logStartOffset: 0, localLogStartOffset: 0, highWatermark: 0, localBytes: 0, remoteBytes: 0 })),
});
const key = (description: string, n: number): ClusterApiKey => ({ id: id(100 + n), clusterId: id(1), key: `FJ${n}`, description, quota: {}, createdAt: at });

const stack = parseStack(
  `clusters:
  - name: payments
    plan: basic
    topics:
      - name: orders
        partitions: 3
        config:
          retention.ms: 604800000
    apiKeys:
      - name: checkout
`,
  'stack.yaml',
).stack;

// The engine alone: desired and actual state in, plan out (the CLI tests run it against a real organization).
describe('plan engine', () => {
  it('matches by name and changes nothing when the organization matches, ignoring the brokers’ own topics', () => {
    const actual: Actual = new Map([['payments', { cluster: cluster('payments'), topics: [topic('orders', 3, { 'retention.ms': '604800000' }), topic('__consumer_offsets', 50)], apiKeys: [key('checkout', 1)] }]]);
    const result = planApply(stack, actual);
    expect(result.ok && result.plan).toMatchObject({ add: 0, change: 0, destroy: 0 });
    expect(renderPlan((result as { plan: Parameters<typeof renderPlan>[0] }).plan)).toBe('No changes. The organization matches the stack.');
  });

  it('removes overrides and keys the stack does not declare, and replaces a cluster that FAILED', () => {
    const drifted: Actual = new Map([['payments', { cluster: cluster('payments'), topics: [topic('orders', 3, { 'retention.ms': '604800000', 'segment.ms': '1000' })], apiKeys: [key('checkout', 1), key('old', 2)] }]]);
    const result = planApply(stack, drifted);
    if (!result.ok) throw new Error('expected a plan');
    expect(result.plan.clusters[0].topics).toEqual([{ action: 'update', name: 'orders', configs: [{ name: 'segment.ms', from: '1000' }] }]);
    expect(result.plan.clusters[0].apiKeys).toEqual([{ action: 'delete', name: 'old', id: id(102), key: 'FJ2' }]);

    const failed: Actual = new Map([['payments', { cluster: cluster('payments', { status: 'FAILED', failureReason: 'broker exited' }), topics: [], apiKeys: [] }]]);
    const replaced = planApply(stack, failed);
    if (!replaced.ok) throw new Error('expected a plan');
    expect(replaced.plan.clusters[0]).toMatchObject({ action: 'replace', reasons: ['it is FAILED (broker exited)'] });
    expect(replaced.plan).toMatchObject({ add: 3, change: 0, destroy: 1 });
  });

  it('refuses a partition decrease with the path of the value', () => {
    const bigger: Actual = new Map([['payments', { cluster: cluster('payments'), topics: [topic('orders', 5, { 'retention.ms': '604800000' })], apiKeys: [key('checkout', 1)] }]]);
    const result = planApply(stack, bigger);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([{ path: ['clusters', 0, 'topics', 0, 'partitions'], message: expect.stringContaining('cannot shrink to 3') }]);
  });

  it('destroys only what exists, with what lives in it', () => {
    expect(planDestroy(stack, new Map())).toMatchObject({ clusters: [], add: 0, change: 0, destroy: 0 });
    const actual: Actual = new Map([['payments', { cluster: cluster('payments'), topics: [topic('orders', 3), topic('__consumer_offsets', 50)], apiKeys: [key('checkout', 1)] }]]);
    expect(planDestroy(stack, actual)).toMatchObject({ destroy: 3 });
  });

  it('names the line and column of every problem in a stack file', () => {
    expect(() => parseStack('clusters:\n  - name: a\n    plan: basic\n    topics:\n      - name: t\n        partitions: 0\n      - name: t\n        partitions: 1\n', 'x.yaml')).toThrow(
      /x\.yaml:6:21: clusters\[0\]\.topics\[0\]\.partitions: .*\nx\.yaml:7:15: clusters\[0\]\.topics\[1\]\.name: topic t is declared twice/,
    );
    expect(() => parseStack('clusters: [\n', 'x.yaml')).toThrow(/^x\.yaml:\d+:\d+: /);
    expect(() => parseStack('clusters:\n  - name: a\n    name: b\n    plan: basic\n', 'x.yaml')).toThrow(/x\.yaml:3:5: Map keys must be unique/);
  });
});
