import type { UsageItem } from '@fjord/api';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatHours, formatMicros } from '../src/data/format.ts';
import { dimensionSeries, usageRange } from '../src/data/usage-series.ts';

const item = (over: Partial<UsageItem>): UsageItem => ({
  clusterId: '01a21167-5f52-707c-85b2-59b95110884f',
  dimension: 'ingress_bytes',
  quantity: '0',
  unit: 'bytes',
  start: '2026-12-02T00:00:00.000Z',
  end: '2026-12-02T01:00:00.000Z',
  ...over,
});

describe('the Usage screen’s chart data', () => {
  it('covers whole buckets up to the one holding now', () => {
    const now = Date.parse('2026-12-02T10:20:00Z');
    expect(usageRange(now, 1, 'hour')).toEqual({ from: '2026-12-01T11:00:00.000Z', to: '2026-12-02T11:00:00.000Z' });
    expect(usageRange(now, 7, 'day')).toEqual({ from: '2026-11-26T00:00:00.000Z', to: '2026-12-03T00:00:00.000Z' });
  });

  it('fills every bucket of the range, stacks series per bucket and orders them by their totals', () => {
    const range = { from: '2026-12-02T00:00:00.000Z', to: '2026-12-02T03:00:00.000Z' };
    const items = [
      item({ topic: 'a.b', quantity: '10' }),
      item({ topic: 'c', quantity: '5', start: '2026-12-02T02:00:00.000Z' }),
      item({ topic: 'c', quantity: '20' }),
      item({ dimension: 'egress_bytes', topic: 'a.b', quantity: '99' }),
    ];
    const data = dimensionSeries(items, 'ingress_bytes', range, 'hour', (i) => i.topic ?? '(no topic)');
    expect(data.series).toEqual(['c', 'a.b']);
    expect(data.totals).toEqual([
      { name: 'c', quantity: 25 },
      { name: 'a.b', quantity: 10 },
    ]);
    expect(data.rows).toEqual([
      { start: Date.parse('2026-12-02T00:00:00Z'), 'a.b': 10, c: 20 },
      { start: Date.parse('2026-12-02T01:00:00Z') },
      { start: Date.parse('2026-12-02T02:00:00Z'), c: 5 },
    ]);
  });
});

describe('money and quantities as the console shows them', () => {
  it('shows micros exactly, with cents always', () => {
    expect([0, 1, 1_500, 50_000, 3_000_000, 1_234_567_890].map(formatMicros)).toEqual(['$0.00', '$0.000001', '$0.0015', '$0.05', '$3.00', '$1,234.56789']);
  });

  it('shows fractions of a byte and of an hour with three significant digits', () => {
    expect([0.252929, 182, 1000, 1536].map(formatBytes)).toEqual(['0.253 B', '182 B', '1000 B', '1.5 KiB']);
    expect([0, 0.000416, 0.5, 12.3456].map(formatHours)).toEqual(['0 h', '0.000416 h', '0.5 h', '12.35 h']);
  });
});
