import type { ClusterPlan, Plan } from './diff.ts';

const symbols = { create: '+', update: '~', replace: '-/+', delete: '-', none: ' ' } as const;
const q = (value: string) => JSON.stringify(value);
const partitions = (n: number) => `${n} partition${n === 1 ? '' : 's'}`;

function renderCluster(c: ClusterPlan): string[] {
  const lines: string[] = [];
  const head = `${symbols[c.action]} cluster ${c.name}`;
  if (c.action === 'create') lines.push(`${head} (plan ${c.plan}, region ${c.region})`);
  else if (c.action === 'replace') lines.push(`${head} (must be replaced: ${c.reasons.join(', ')}; its data is lost)`);
  else if (c.action === 'delete') lines.push(`${head} (plan ${c.plan}, region ${c.region}; its data is lost)`);
  else lines.push(head);
  for (const t of c.topics) {
    if (t.action === 'create') {
      lines.push(`    + topic ${t.name} (${partitions(t.partitions)})`);
      for (const [name, value] of Object.entries(t.config).sort()) lines.push(`        ${name} = ${q(value)}`);
    } else if (t.action === 'delete') {
      lines.push(`    - topic ${t.name} (${partitions(t.partitions)}; its data is lost)`);
    } else {
      lines.push(`    ~ topic ${t.name}`);
      if (t.partitions) lines.push(`        ~ partitions: ${t.partitions.from} -> ${t.partitions.to}`);
      for (const change of t.configs) {
        if (change.from === undefined) lines.push(`        + ${change.name} = ${q(change.to!)}`);
        else if (change.to === undefined) lines.push(`        - ${change.name} = ${q(change.from)} (back to the cluster default)`);
        else lines.push(`        ~ ${change.name}: ${q(change.from)} -> ${q(change.to)}`);
      }
    }
  }
  for (const k of c.apiKeys) lines.push(k.action === 'create' ? `    + api key ${k.name}` : `    - api key ${k.name} (${k.key}; clients using it are refused)`);
  return lines;
}

/** The plan as Terraform shows one: a symbol per change, then the counts. */
export function renderPlan(plan: Plan): string {
  const changed = plan.clusters.filter((c) => c.action !== 'none');
  if (changed.length === 0) return 'No changes. The organization matches the stack.';
  return [
    'Fjord will perform the following actions:',
    '',
    ...changed.flatMap((c) => [...renderCluster(c).map((l) => `  ${l}`), '']),
    `Plan: ${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy.`,
  ].join('\n');
}
