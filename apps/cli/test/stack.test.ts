import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Cluster, type FjordClient } from '@fjord/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNpmControlPlane, tearDownStory } from '../../../test/helpers/control-plane.ts';
import type { RunningControlPlane } from '../../control-plane/test/process.ts';
import { fjord, fjordOnTerminal, recordingProxy, report, type RecordingProxy } from './run-cli.ts';

const stackYaml = (partitions: number, extra = '') => `clusters:
  - name: payments
    plan: basic
    topics:
      - name: orders
        partitions: ${partitions}
        config:
          retention.ms: "604800000"
    apiKeys:
      - name: checkout-service
${extra}`;

// `fjord plan|apply|destroy` as a subprocess against `npm start`'s control plane (brokers are real
// processes), through a proxy that records every request the CLI makes.
describe('fjord plan / apply / destroy', () => {
  let dataDir: string;
  let workDir: string;
  let cp: RunningControlPlane;
  let proxy: RecordingProxy;
  let api: FjordClient;
  let env: Record<string, string>;
  const stackFile = () => path.join(workDir, 'stack.yaml');
  const run = (...args: string[]) => fjord(args, { env, cwd: workDir });
  const payments = async (): Promise<Cluster | undefined> => {
    for await (const c of api.clusters.all()) if (c.name === 'payments') return c;
    return undefined;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-cli-stack-'));
    workDir = await mkdtemp(path.join(tmpdir(), 'fjord-cli-stack-work-'));
    cp = await startNpmControlPlane(dataDir, randomBytes(32).toString('base64'));
    proxy = await recordingProxy(cp.url);
    const session = createClient({ baseUrl: cp.url });
    await session.signup({ email: `stack-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery staple', organizationName: 'Stack' });
    const { secret } = await session.apiKeys.create({ description: 'fjord cli test' });
    api = createClient({ baseUrl: cp.url, apiKey: secret });
    env = { FJORD_URL: proxy.url, FJORD_TOKEN: secret };
  }, 120_000);

  afterAll(async () => {
    const ids: string[] = [];
    for await (const c of api?.clusters.all() ?? []) ids.push(c.id);
    await proxy?.close();
    await tearDownStory(api, ids, cp, dataDir);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 120_000);

  it('apply on a fresh organization creates the cluster, topic and key (asking first); then plan exits 0 and apply changes nothing', async () => {
    await writeFile(stackFile(), stackYaml(3));
    const plan = await run('plan', '-f', 'stack.yaml', '--detailed-exitcode');
    expect(plan.code, report(plan)).toBe(2);
    expect(plan.stdout).toContain('+ cluster payments');
    expect(plan.stdout).toContain('+ topic orders (3 partitions)');
    expect(plan.stdout).toContain('+ api key checkout-service');
    expect(plan.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');

    // No terminal to say yes on: apply refuses and changes nothing.
    const before = proxy.mutations().length;
    const refused = await run('apply', '-f', 'stack.yaml');
    expect(refused.code, report(refused)).toBe(1);
    expect(refused.stderr).toContain('--auto-approve');
    expect(proxy.mutations().length).toBe(before);
    expect(await payments()).toBeUndefined();

    const applied = await run('apply', '-f', 'stack.yaml', '--auto-approve');
    expect(applied.code, report(applied)).toBe(0);
    expect(applied.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    const cluster = (await payments())!;
    expect(cluster.status).toBe('RUNNING');
    const topic = await api.topics.get(cluster.id, 'orders');
    expect(topic.partitions).toHaveLength(3);
    expect(topic.configs['retention.ms']).toBe('604800000');
    const keys = (await api.clusterApiKeys.list(cluster.id)).items;
    expect(keys.map((k) => k.description)).toEqual(['checkout-service']);
    // The secret is printed, once, next to its key.
    const printed = new RegExp(`${keys[0].key}\\s+secret (fjc_\\S+)`).exec(applied.stdout);
    expect(printed, report(applied)).not.toBeNull();
    expect(applied.stdout.split(printed![1]).length - 1).toBe(1);

    const again = await run('plan', '-f', 'stack.yaml', '--detailed-exitcode');
    expect(again.code, report(again)).toBe(0);
    expect(again.stdout).toContain('No changes.');
    const mutationsBefore = proxy.mutations().length;
    const reapplied = await run('apply', '-f', 'stack.yaml', '--auto-approve');
    expect(reapplied.code, report(reapplied)).toBe(0);
    expect(reapplied.stdout).toContain('No changes.');
    expect(proxy.mutations().length).toBe(mutationsBefore);
    // For scripts: one JSON document on stdout.
    const scripted = await run('apply', '-f', 'stack.yaml', '--auto-approve', '--output', 'json');
    expect(scripted.code, report(scripted)).toBe(0);
    expect(JSON.parse(scripted.stdout)).toMatchObject({ complete: true, secrets: [], plan: { add: 0, change: 0, destroy: 0 } });
  });

  it('writes new key secrets to --secrets-out (mode 0600) instead of printing them', async () => {
    await writeFile(stackFile(), stackYaml(3).replace('      - name: checkout-service', '      - name: checkout-service\n      - name: billing'));
    const applied = await run('apply', '-f', 'stack.yaml', '--auto-approve', '--secrets-out', 'secrets.json');
    expect(applied.code, report(applied)).toBe(0);
    const file = path.join(workDir, 'secrets.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(await readFile(file, 'utf8')) as { name: string; key: string; secret: string }[];
    expect(secrets.map((s) => s.name)).toEqual(['billing']);
    expect(secrets[0].secret).toMatch(/^fjc_/);
    expect(applied.stdout + applied.stderr).not.toContain(secrets[0].secret);
    expect(applied.stderr).toContain('secrets.json');
  });

  it('partitions 3 -> 6: plan exits 2 and shows ~, apply grows the topic, plan exits 0 again', async () => {
    await writeFile(stackFile(), stackYaml(6).replace('      - name: checkout-service', '      - name: checkout-service\n      - name: billing'));
    const plan = await run('plan', '-f', 'stack.yaml', '--detailed-exitcode');
    expect(plan.code, report(plan)).toBe(2);
    expect(plan.stdout).toContain('~ topic orders');
    expect(plan.stdout).toContain('~ partitions: 3 -> 6');
    expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    const applied = await run('apply', '-f', 'stack.yaml', '--auto-approve');
    expect(applied.code, report(applied)).toBe(0);
    expect((await api.topics.get((await payments())!.id, 'orders')).partitions).toHaveLength(6);
    const after = await run('plan', '-f', 'stack.yaml', '--detailed-exitcode');
    expect(after.code, report(after)).toBe(0);
  });

  it('on a terminal, apply asks: no changes nothing, a plan gone stale while asking changes nothing, yes applies', async () => {
    const withAudit = stackYaml(6).replace('    apiKeys:', '      - name: audit\n        partitions: 1\n    apiKeys:').replace('      - name: checkout-service', '      - name: checkout-service\n      - name: billing');
    await writeFile(path.join(workDir, 'audit.yaml'), withAudit);
    const cluster = (await payments())!;
    const topicNames = async () => (await api.topics.list(cluster.id)).items.map((t) => t.name).sort();

    const declined = await fjordOnTerminal(['apply', '-f', 'audit.yaml'], { env, cwd: workDir, answer: 'no' });
    expect(declined.code, declined.stdout).toBe(1);
    expect(declined.stdout).toContain('+ topic audit (1 partition)');
    expect(declined.stdout).toContain('apply cancelled: nothing was changed');
    expect(await topicNames()).toEqual(['orders']);

    const stale = await fjordOnTerminal(['apply', '-f', 'audit.yaml'], {
      env,
      cwd: workDir,
      answer: 'yes',
      beforeAnswer: async () => void (await api.topics.create(cluster.id, { name: 'sneaked-in', partitions: 1 })),
    });
    expect(stale.code, stale.stdout).toBe(1);
    expect(stale.stdout).toContain('the organization changed while the plan was shown: nothing was changed');
    expect(await topicNames()).toEqual(['orders', 'sneaked-in']);
    await api.topics.delete(cluster.id, 'sneaked-in');

    const accepted = await fjordOnTerminal(['apply', '-f', 'audit.yaml'], { env, cwd: workDir, answer: 'yes' });
    expect(accepted.code, accepted.stdout).toBe(0);
    expect(accepted.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    expect(await topicNames()).toEqual(['audit', 'orders']);
    await api.topics.delete(cluster.id, 'audit');
  });

  it('shows drift: a topic made in the API is - only on clusters the stack manages; a config changed in the API is ~', async () => {
    const managed = (await payments())!;
    await api.topics.create(managed.id, { name: 'made-in-console', partitions: 1 });
    await api.topics.update(managed.id, 'orders', { configs: { 'retention.ms': '3600000' } });
    // A cluster the stack does not name, with a topic of its own: never part of the plan.
    const other = await api.clusters.create({ name: 'unmanaged', plan: 'basic' });
    await api.clusters.waitFor(other.id, 'RUNNING', { timeoutMs: 60_000 });
    await api.topics.create(other.id, { name: 'elsewhere', partitions: 1 });

    const plan = await run('plan', '-f', 'stack.yaml', '--detailed-exitcode');
    expect(plan.code, report(plan)).toBe(2);
    expect(plan.stdout).toContain('- topic made-in-console');
    expect(plan.stdout).toContain('~ retention.ms: "3600000" -> "604800000"');
    expect(plan.stdout).not.toContain('elsewhere');
    expect(plan.stdout).not.toContain('unmanaged');
    expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 1 to destroy.');

    const json = await run('plan', '-f', 'stack.yaml', '--output', 'json');
    expect(json.code, report(json)).toBe(0);
    const parsed = JSON.parse(json.stdout) as { clusters: { name: string; topics: { action: string; name: string }[] }[] };
    expect(parsed.clusters.map((c) => c.name)).toEqual(['payments']);
    expect(parsed.clusters[0].topics).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'delete', name: 'made-in-console' }), expect.objectContaining({ action: 'update', name: 'orders' })]));

    const applied = await run('apply', '-f', 'stack.yaml', '--auto-approve');
    expect(applied.code, report(applied)).toBe(0);
    expect((await api.topics.list(managed.id)).items.map((t) => t.name)).toEqual(['orders']);
    expect((await api.topics.get(managed.id, 'orders')).configs['retention.ms']).toBe('604800000');
    expect((await api.topics.list(other.id)).items.map((t) => t.name)).toEqual(['elsewhere']);
  });

  it('refuses a broken stack file with its line and column, exit 1, and makes no mutating call', async () => {
    const broken: [string, string, RegExp][] = [
      ['bad indentation', 'clusters:\n  - name: payments\n    plan: basic\n   topics:\n      - name: orders\n', /^Error: broken\.yaml:4:\d+: /m],
      ['unknown key', 'clusters:\n  - name: payments\n    plan: basic\n    partitons: 3\n', /broken\.yaml:4:5: clusters\[0\]\.partitons: unknown key "partitons"/],
      ['a string for a number', stackYaml(6).replace('partitions: 6', 'partitions: "three"'), /broken\.yaml:6:21: clusters\[0\]\.topics\[0\]\.partitions: .*expected number/],
      ['a bad config value', stackYaml(6).replace('"604800000"', '"a week"'), /broken\.yaml:8:25: clusters\[0\]\.topics\[0\]\.config\.retention\.ms: An integer/],
      ['a partition decrease', stackYaml(2), /broken\.yaml:6:21: topic orders has 6 partitions and cannot shrink to 2/],
    ];
    for (const [what, text, message] of broken) {
      await writeFile(path.join(workDir, 'broken.yaml'), text);
      const before = proxy.mutations().length;
      for (const command of [['plan', '-f', 'broken.yaml', '--detailed-exitcode'], ['apply', '-f', 'broken.yaml', '--auto-approve']]) {
        const result = await run(...command);
        expect(result.code, `${what}: ${report(result)}`).toBe(1);
        expect(result.stderr, what).toMatch(message);
        expect(result.stderr, what).not.toMatch(/\n\s+at /);
      }
      expect(proxy.mutations().slice(before), what).toEqual([]);
    }
    expect((await api.topics.get((await payments())!.id, 'orders')).partitions).toHaveLength(6);
  });

  it('a plan change cannot happen in place: plan shows -/+ replace', async () => {
    await writeFile(path.join(workDir, 'standard.yaml'), (await readFile(stackFile(), 'utf8')).replace('plan: basic', 'plan: standard'));
    const plan = await run('plan', '-f', 'standard.yaml', '--detailed-exitcode');
    expect(plan.code, report(plan)).toBe(2);
    expect(plan.stdout).toContain('-/+ cluster payments (must be replaced: plan basic -> standard; its data is lost)');
    expect(plan.stdout).toContain('+ topic orders (6 partitions)');
    expect(plan.stdout).toContain('Plan: 4 to add, 0 to change, 1 to destroy.');
  });

  it('destroy removes the cluster; plan after it shows everything as +', async () => {
    const destroyed = await run('destroy', '-f', 'stack.yaml', '--auto-approve');
    expect(destroyed.code, report(destroyed)).toBe(0);
    expect(destroyed.stdout).toContain('- cluster payments');
    expect(destroyed.stdout).not.toContain('unmanaged');
    expect(await payments()).toBeUndefined();
    expect((await api.clusters.list()).items.map((c) => c.name)).toEqual(['unmanaged']);

    const plan = await run('plan', '-f', 'stack.yaml', '--detailed-exitcode');
    expect(plan.code, report(plan)).toBe(2);
    for (const line of ['+ cluster payments', '+ topic orders (6 partitions)', '+ api key checkout-service', '+ api key billing']) expect(plan.stdout).toContain(line);
    expect(plan.stdout).not.toMatch(/^\s+[~-] /m);
    expect(plan.stdout).toContain('Plan: 4 to add, 0 to change, 0 to destroy.');
  });
});
