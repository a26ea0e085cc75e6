import type { UsageItem } from '@fjord/api';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { SelectField } from '../components/field.tsx';
import { QueryState } from '../components/query-state.tsx';
import { UsageChart } from '../components/usage-chart.tsx';
import { fjord } from '../data/client.ts';
import { dimensionSeries, dimensions, usageRange, type Granularity } from '../data/usage-series.ts';

const ranges = [
  { days: 1, label: 'Last 24 hours' },
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
];

/**
 * Metered usage per dimension over time, for one cluster or all, optionally broken down by topic.
 * Brokers report every few seconds, so the page refreshes itself.
 */
export function Usage() {
  const [clusterId, setClusterId] = useState('');
  const [days, setDays] = useState(1);
  const [granularity, setGranularity] = useState<Granularity>('hour');
  const [byTopic, setByTopic] = useState(false);
  // The clusters list's own query: the filter names what the list shows.
  const clusters = useQuery({ queryKey: ['clusters'], queryFn: async () => (await fjord.clusters.list({ limit: 100 })).items });
  const usage = useQuery({
    queryKey: ['usage', clusterId, days, granularity, byTopic],
    queryFn: async () => {
      const range = usageRange(Date.now(), days, granularity);
      const { items } = await fjord.usage.get({ ...range, granularity, clusterId: clusterId || undefined, groupBy: byTopic ? 'topic' : undefined });
      // The answer carries the filters it was asked with: while the next filters load, the last answer stays on screen as it was.
      return { range, items, granularity, byTopic, clusterId };
    },
    refetchInterval: 5_000,
    placeholderData: (previous) => previous,
  });

  const clusterName = (id: string) => clusters.data?.find((c) => c.id === id)?.name ?? id;
  const seriesOf = (asked: { byTopic: boolean; clusterId: string }) => (item: UsageItem) => {
    if (!asked.byTopic) return clusterName(item.clusterId);
    const topic = item.topic ?? '(no topic)';
    return asked.clusterId ? topic : `${clusterName(item.clusterId)} · ${topic}`;
  };

  return (
    <section aria-labelledby="usage-title">
      <header className="page-header">
        <h1 id="usage-title">Usage</h1>
      </header>
      <form className="inline-form card" aria-label="Usage filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Cluster" value={clusterId} onChange={(e) => setClusterId(e.target.value)}>
          <option value="">All clusters</option>
          {clusters.data?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Range" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {ranges.map((r) => (
            <option key={r.days} value={r.days}>
              {r.label}
            </option>
          ))}
        </SelectField>
        <SelectField label="Granularity" value={granularity} onChange={(e) => setGranularity(e.target.value as Granularity)}>
          <option value="hour">Hourly</option>
          <option value="day">Daily</option>
        </SelectField>
        <div className="field field-checkbox">
          <label>
            <input type="checkbox" checked={byTopic} onChange={(e) => setByTopic(e.target.checked)} /> By topic
          </label>
        </div>
      </form>
      <QueryState query={usage} what="usage">
        {(answer) =>
          dimensions.map(({ dimension, label, format }) => {
            const data = dimensionSeries(answer.items, dimension, answer.range, answer.granularity, seriesOf(answer));
            return (
              <section key={dimension} className="card" aria-labelledby={`usage-${dimension}`}>
                <h2 id={`usage-${dimension}`}>{label}</h2>
                {data.totals.length === 0 ? (
                  <p className="muted">No {label.toLowerCase()} in this range yet.</p>
                ) : (
                  <>
                    <UsageChart label={label} data={data} granularity={answer.granularity} format={format} />
                    <table aria-label={`${label} totals`}>
                      <thead>
                        <tr>
                          <th scope="col">{answer.byTopic ? 'Topic' : 'Cluster'}</th>
                          <th scope="col">Total in range</th>
                        </tr>
                      </thead>
                      <tbody>
                        {data.totals.map((t) => (
                          <tr key={t.name}>
                            <th scope="row">{t.name}</th>
                            <td data-quantity={t.quantity}>{format(t.quantity)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </>
                )}
              </section>
            );
          })
        }
      </QueryState>
    </section>
  );
}
