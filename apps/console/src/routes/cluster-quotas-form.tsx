import type { ClusterQuotas, UpdateClusterQuotasRequest } from '@fjord/api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { TextField } from '../components/field.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { QueryState } from '../components/query-state.tsx';
import { fjord } from '../data/client.ts';
import { fieldErrors, onlyFieldErrors } from '../data/problems.ts';

const MB = 1_000_000;
const GB = 1_000_000_000;

/** The quotas the form edits, each in the unit people set it in (plan tables say MB/s and TB). */
const limits = [
  { name: 'ingressBytesPerSecond', label: 'Produce throughput (MB/s)', unit: MB },
  { name: 'egressBytesPerSecond', label: 'Consume throughput (MB/s)', unit: MB },
  { name: 'maxPartitions', label: 'Partitions', unit: 1 },
  { name: 'storageBytes', label: 'Storage (GB)', unit: GB },
  { name: 'maxConnections', label: 'Connections', unit: 1 },
] as const;
type Limit = (typeof limits)[number]['name'];
type Values = Record<Limit | 'keyIngress' | 'keyEgress', string>;

const shown = (bytes: number | undefined, unit: number) => (bytes === undefined ? '' : String(bytes / unit));

function initial(q: ClusterQuotas): Values {
  const values = Object.fromEntries(limits.map((l) => [l.name, shown(q.overrides[l.name], l.unit)])) as Values;
  values.keyIngress = shown(q.defaultKeyQuota?.ingressBytesPerSecond, MB);
  values.keyEgress = shown(q.defaultKeyQuota?.egressBytesPerSecond, MB);
  return values;
}

/** A blank field goes back to the plan's ceiling (null); the API checks the rest against it and names what is over. */
function body(values: Values): UpdateClusterQuotasRequest {
  const amount = (text: string, unit: number) => (text.trim() === '' ? null : Math.round(Number(text) * unit));
  const request: UpdateClusterQuotasRequest = Object.fromEntries(limits.map((l) => [l.name, amount(values[l.name], l.unit)]));
  const ingress = amount(values.keyIngress, MB);
  const egress = amount(values.keyEgress, MB);
  request.defaultKeyQuota = ingress === null && egress === null ? null : { ingressBytesPerSecond: ingress ?? undefined, egressBytesPerSecond: egress ?? undefined };
  return request;
}

function Form({ clusterId, quotas, onDone }: { clusterId: string; quotas: ClusterQuotas; onDone: () => void }) {
  const [values, setValues] = useState(() => initial(quotas));
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => fjord.clusters.updateQuotas(clusterId, body(values)),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['quotas'] });
      onDone();
    },
  });
  const errors = fieldErrors(save.error);
  const set = (name: keyof Values) => (e: { target: { value: string } }) => setValues({ ...values, [name]: e.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const fields = [...limits.map((l) => l.name), 'defaultKeyQuota.ingressBytesPerSecond', 'defaultKeyQuota.egressBytesPerSecond'];
  return (
    <form onSubmit={submit} noValidate aria-label="Cluster quotas">
      {limits.map((l) => (
        <TextField
          key={l.name}
          label={l.label}
          inputMode="decimal"
          value={values[l.name]}
          onChange={set(l.name)}
          placeholder={shown(quotas.ceiling[l.name], l.unit)}
          error={errors[l.name]}
          hint={`Plan ${quotas.plan}: up to ${shown(quotas.ceiling[l.name], l.unit)}; blank keeps the plan's value`}
        />
      ))}
      <TextField label="Each key's produce rate (MB/s)" inputMode="decimal" value={values.keyIngress} onChange={set('keyIngress')} error={errors['defaultKeyQuota.ingressBytesPerSecond']} hint="For keys without their own; blank: no limit per key" />
      <TextField label="Each key's consume rate (MB/s)" inputMode="decimal" value={values.keyEgress} onChange={set('keyEgress')} error={errors['defaultKeyQuota.egressBytesPerSecond']} hint="For keys without their own; blank: no limit per key" />
      {!onlyFieldErrors(save.error, fields) && <ProblemAlert error={save.error} />}
      <button type="submit" disabled={save.isPending}>
        {save.isPending ? 'Saving…' : 'Save quotas'}
      </button>{' '}
      <button type="button" className="button-secondary" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

/** Lowers a cluster's quotas below its plan; brokers apply a change within a second. */
export function ClusterQuotasForm({ clusterId, onDone }: { clusterId: string; onDone: () => void }) {
  const quotas = useQuery({ queryKey: ['quotas', clusterId], queryFn: () => fjord.clusters.quotas(clusterId) });
  return (
    <QueryState query={quotas} what="the cluster's quotas">
      {(q) => <Form clusterId={clusterId} quotas={q} onDone={onDone} />}
    </QueryState>
  );
}
