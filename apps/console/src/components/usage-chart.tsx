import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DimensionSeries, Granularity } from '../data/usage-series.ts';

const palette = ['#1f5eff', '#1b7f3b', '#a05a00', '#8e24aa', '#00838f', '#c62828', '#5d4037', '#546e7a'];

const tickFormat: Record<Granularity, Intl.DateTimeFormatOptions> = {
  hour: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  day: { month: 'short', day: 'numeric' },
};

/** One dimension over time: a bar per bucket, its series (topics or clusters) stacked. */
export function UsageChart({ label, data, granularity, format }: { label: string; data: DimensionSeries; granularity: Granularity; format: (n: number) => string }) {
  const time = new Intl.DateTimeFormat(undefined, tickFormat[granularity]);
  return (
    <figure className="usage-chart" aria-label={`${label} over time`}>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data.rows} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="start" tickFormatter={(t: number) => time.format(t)} minTickGap={24} fontSize={12} />
          <YAxis tickFormatter={format} width={90} fontSize={12} />
          <Tooltip labelFormatter={(t) => time.format(Number(t))} formatter={(v) => format(Number(v))} />
          <Legend />
          {data.series.map((name, i) => (
            // A function, not the name: recharts reads a string key as a path, and topic names may hold dots.
            <Bar key={name} dataKey={(row: Record<string, number>) => row[name]} name={name} stackId="usage" fill={palette[i % palette.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
