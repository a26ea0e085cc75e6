import type { Context } from '../context.ts';
import { waitForCluster } from '../context.ts';
import { CliError } from '../errors.ts';
import { readActual } from '../plan/actual.ts';
import { applyPlan, type CreatedSecret } from '../plan/apply.ts';
import { hasChanges, planApply, planDestroy, type Plan } from '../plan/diff.ts';
import { renderPlan } from '../plan/render.ts';
import { readStack, StackFileError, type StackFile } from '../plan/stack-file.ts';
import { addSecrets } from '../secrets-file.ts';

type Mode = 'apply' | 'destroy';

async function computePlan(ctx: Context, file: StackFile, mode: Mode): Promise<Plan> {
  const api = ctx.api();
  const actual = await readActual(
    api,
    file.stack.clusters.map((c) => c.name),
    { settle: (cluster) => waitForCluster(ctx, cluster, cluster.status === 'DELETING' ? 'DELETED' : 'RUNNING') },
  );
  if (mode === 'destroy') return planDestroy(file.stack, actual);
  const result = planApply(file.stack, actual);
  if (!result.ok) throw new StackFileError(result.problems.map((p) => `${file.locate(p.path)}: ${p.message}`).join('\n'));
  return result.plan;
}

function showPlan(ctx: Context, plan: Plan) {
  ctx.io.result(plan, () => renderPlan(plan));
}

function secretsText(secrets: CreatedSecret[]): string {
  return [
    '',
    'New cluster API keys (the secrets are shown this once; Fjord keeps only a hash):',
    ...secrets.map((s) => `  ${s.cluster}/${s.name}: key ${s.key}  secret ${s.secret}  (bootstrap ${s.bootstrapServers})`),
  ].join('\n');
}

async function execute(ctx: Context, file: string, mode: Mode, options: { autoApprove?: boolean; secretsOut?: string }) {
  const stack = await readStack(file);
  const plan = await computePlan(ctx, stack, mode);
  const json = ctx.io.format === 'json';
  // People read the plan before they answer; a script gets it inside the one JSON result at the end.
  if (!json) showPlan(ctx, plan);
  else if (!options.autoApprove) ctx.io.notify('FJ_CLI_I2002', renderPlan(plan));
  const secrets: CreatedSecret[] = [];
  let complete = !hasChanges(plan);
  try {
    if (complete) return;
    if (!options.autoApprove) {
      const verb = mode === 'apply' ? 'apply these changes' : 'destroy these resources';
      if (!(await ctx.io.confirm('FJ_CLI_Q2001', `Do you want to ${verb}?`))) throw new CliError('FJ_CLI_E0008', `${mode} cancelled: nothing was changed`);
      // Time passed while the user read the plan: apply only what they saw.
      const fresh = await computePlan(ctx, stack, mode);
      if (JSON.stringify(fresh) !== JSON.stringify(plan)) {
        throw new CliError('FJ_CLI_E0007', `the organization changed while the plan was shown: nothing was changed; run \`fjord ${mode}\` again to see the new plan`);
      }
    }
    await applyPlan(ctx.api(), plan, {
      step: (text) => ctx.io.notify('FJ_CLI_I2001', `${text}...`),
      waitRunning: async (cluster) => (await waitForCluster(ctx, cluster, 'RUNNING'))!,
      waitDeleted: async (cluster) => void (await waitForCluster(ctx, cluster, 'DELETED')),
      secret: (created) => void secrets.push(created),
    });
    complete = true;
  } finally {
    // Secrets are shown once: they are kept (written or printed) even when a later step failed.
    if (secrets.length > 0 && options.secretsOut) {
      await addSecrets(options.secretsOut, secrets);
      ctx.io.notify('FJ_CLI_I1003', `${secrets.length} new API key secret(s) written to ${options.secretsOut} (mode 0600)`);
    }
    const shown = options.secretsOut ? [] : secrets;
    if (json) ctx.io.result({ plan, complete, secrets: shown }, () => '');
    else if (shown.length > 0) ctx.io.result(null, () => secretsText(shown));
  }
  if (!json) {
    ctx.io.result(null, () =>
      mode === 'apply' ? `Apply complete! Resources: ${plan.add} added, ${plan.change} changed, ${plan.destroy} destroyed.` : `Destroy complete! Resources: ${plan.destroy} destroyed.`,
    );
  }
}

export async function plan(ctx: Context, options: { file: string; detailedExitcode?: boolean; destroy?: boolean }): Promise<number> {
  const stack = await readStack(options.file);
  const computed = await computePlan(ctx, stack, options.destroy ? 'destroy' : 'apply');
  showPlan(ctx, computed);
  return options.detailedExitcode && hasChanges(computed) ? 2 : 0;
}

export async function apply(ctx: Context, options: { file: string; autoApprove?: boolean; secretsOut?: string }) {
  await execute(ctx, options.file, 'apply', options);
}

export async function destroy(ctx: Context, options: { file: string; autoApprove?: boolean }) {
  await execute(ctx, options.file, 'destroy', options);
}
