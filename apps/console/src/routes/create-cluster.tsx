import type { Plan, PlanName } from '@fjord/api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { TextField } from '../components/field.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { formatBytes, formatDuration, formatMicros } from '../data/format.ts';
import { fieldErrors, onlyFieldErrors } from '../data/problems.ts';

function PlanCard({ plan, selected, onSelect }: { plan: Plan; selected: boolean; onSelect: () => void }) {
  const { limits, prices } = plan;
  return (
    <label className={`plan-card${selected ? ' plan-card-selected' : ''}`}>
      <input type="radio" name="plan" value={plan.name} checked={selected} onChange={onSelect} />
      <span className="plan-name">{plan.displayName}</span>
      <span className="muted">{plan.description}</span>
      <span className="plan-price">{formatMicros(prices.clusterHourMicros)} / cluster-hour</span>
      <ul>
        <li>{formatBytes(limits.ingressBytesPerSecond)}/s in, {formatBytes(limits.egressBytesPerSecond)}/s out</li>
        <li>{limits.maxPartitions.toLocaleString()} partitions</li>
        <li>{formatBytes(limits.storageBytes)} storage</li>
        <li>{limits.maxRetentionMs < 0 ? 'Unlimited retention' : `Retention up to ${formatDuration(limits.maxRetentionMs)}`}</li>
        <li>{formatMicros(prices.ingressGbMicros)} per GB in, {formatMicros(prices.egressGbMicros)} per GB out</li>
        <li>{plan.tiering.enabled ? 'Tiered storage' : 'No tiered storage'}</li>
      </ul>
    </label>
  );
}

export function CreateCluster() {
  const [name, setName] = useState('');
  const [plan, setPlan] = useState<PlanName>('basic');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const plans = useQuery({ queryKey: ['plans'], queryFn: async () => (await fjord.plans.list()).items, staleTime: Infinity });
  const create = useMutation({
    mutationFn: () => fjord.clusters.create({ name, plan }, { idempotencyKey: crypto.randomUUID() }),
    onSuccess: async (cluster) => {
      await queryClient.invalidateQueries({ queryKey: ['clusters'] });
      navigate(`/clusters/${cluster.id}`);
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="create-title">
      <header className="page-header">
        <h1 id="create-title">Create cluster</h1>
      </header>
      <form className="card" onSubmit={submit} noValidate>
        <TextField label="Cluster name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} hint="Letters, digits, '.', '_' and '-'" required />
        <fieldset>
          <legend>Plan</legend>
          <QueryState query={plans} what="plans">
            {(items) => (
              <div className="plan-cards">
                {items.map((p) => (
                  <PlanCard key={p.name} plan={p} selected={p.name === plan} onSelect={() => setPlan(p.name)} />
                ))}
              </div>
            )}
          </QueryState>
          {errors.plan && <p className="field-error" role="alert">{errors.plan}</p>}
        </fieldset>
        {!onlyFieldErrors(create.error, ['name', 'plan']) && <ProblemAlert error={create.error} />}
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create cluster'}
        </button>
      </form>
    </section>
  );
}
