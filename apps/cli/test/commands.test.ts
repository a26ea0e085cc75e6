import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type FjordClient } from '@fjord/sdk';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNpmControlPlane, tearDownStory, until } from '../../../test/helpers/control-plane.ts';
import { runKcat } from '../../../test/helpers/kcat.ts';
import { repoRoot, type RunningControlPlane } from '../../control-plane/test/process.ts';
import { fjord, fjordBin, fjordOnTerminal, report } from './run-cli.ts';

const noStackTrace = /\n\s+at /;

/** A loopback port nothing listens on: a control plane that is down. */
async function deadPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The imperative commands, run as a user runs them (the built bin, a subprocess) against `npm start`'s control plane.
describe('fjord commands', () => {
  let dataDir: string;
  let workDir: string;
  let cp: RunningControlPlane;
  let api: FjordClient;
  let token: string;
  let env: Record<string, string>;
  const run = (...args: string[]) => fjord(args, { env, cwd: workDir });
  const json = async <T>(...args: string[]): Promise<T> => {
    const result = await run('--output', 'json', ...args);
    expect(result.code, report(result)).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-cli-commands-'));
    workDir = await mkdtemp(path.join(tmpdir(), 'fjord-cli-commands-work-'));
    cp = await startNpmControlPlane(dataDir, randomBytes(32).toString('base64'));
    const session = createClient({ baseUrl: cp.url });
    await session.signup({ email: `cli-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery staple', organizationName: 'CLI' });
    token = (await session.apiKeys.create({ description: 'fjord cli test' })).secret;
    api = createClient({ baseUrl: cp.url, apiKey: token });
    env = { FJORD_URL: cp.url, FJORD_TOKEN: token };
  }, 120_000);

  afterAll(async () => {
    const ids: string[] = [];
    for await (const c of api?.clusters.all() ?? []) ids.push(c.id);
    await tearDownStory(api, ids, cp, dataDir);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 120_000);

  it('starts from compiled JavaScript: `fjord --version` under 300 ms', () => {
    expect(execFileSync(process.execPath, [fjordBin, '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // The best of five runs, so a busy machine's one slow start does not count.
    const times = Array.from({ length: 5 }, () => {
      const started = process.hrtime.bigint();
      execFileSync(process.execPath, [fjordBin, '--version']);
      return Number(process.hrtime.bigint() - started) / 1e6;
    });
    expect(Math.min(...times), times.join(', ')).toBeLessThan(300);
  });

  it('is the workspace bin (`npx fjord` from the root) and installs with `npm install -g ./apps/cli`', async () => {
    expect(realpathSync(path.join(repoRoot, 'node_modules/.bin/fjord'))).toBe(realpathSync(fjordBin));
    expect(execFileSync('npx', ['--no-install', 'fjord', '--version'], { cwd: repoRoot, encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const prefix = await mkdtemp(path.join(tmpdir(), 'fjord-cli-global-'));
    try {
      execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', './apps/cli'], { cwd: repoRoot, stdio: 'pipe', timeout: 120_000 });
      // Run from elsewhere: the bundle needs nothing from the repository's node_modules.
      const installed = await fjord(['clusters', 'list'], { env: { PATH: `${prefix}/bin:${process.env.PATH}`, FJORD_URL: cp.url, FJORD_TOKEN: token }, cwd: prefix, command: 'fjord' });
      expect(installed.code, report(installed)).toBe(0);
      expect(installed.stdout).toContain('No resources found.');
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  });

  it('says clearly what is wrong without FJORD_TOKEN, with a wrong one, and when the control plane is down: exit 1, no stack trace', async () => {
    const missing = await fjord(['clusters', 'list'], { env: { FJORD_URL: cp.url } });
    expect(missing.code, report(missing)).toBe(1);
    expect(missing.stderr).toMatch(/no credentials: set FJORD_TOKEN .*fjord login/);

    const wrong = await fjord(['clusters', 'list'], { env: { FJORD_URL: cp.url, FJORD_TOKEN: 'fjk_not-a-real-key' } });
    expect(wrong.code, report(wrong)).toBe(1);
    expect(wrong.stderr).toContain(`${cp.url} refused the credentials`);
    expect(wrong.stderr).toContain('FJORD_TOKEN');

    const url = `http://127.0.0.1:${await deadPort()}`;
    for (const args of [['clusters', 'list'], ['whoami'], ['plan', '-f', path.join(workDir, 'none.yaml')]]) {
      const down = await fjord(args, { env: { FJORD_URL: url, FJORD_TOKEN: token } });
      expect(down.code, report(down)).toBe(1);
      if (args[0] !== 'plan') expect(down.stderr).toContain(`cannot reach the Fjord API at ${url} (ECONNREFUSED)`);
      expect(down.stderr).not.toMatch(noStackTrace);
      expect(down.stdout).toBe('');
    }
    const json = await fjord(['--output', 'json', 'whoami'], { env: { FJORD_URL: url, FJORD_TOKEN: token } });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ level: 'error', code: 'FJ_CLI_E0004' });
  });

  it('login checks the key and keeps it in the config dir (0600); whoami uses it; FJORD_TOKEN wins; logout forgets it', async () => {
    const config = await mkdtemp(path.join(tmpdir(), 'fjord-cli-config-'));
    try {
      const asUser = (args: string[], extra: Record<string, string | undefined> = {}) => fjord(args, { env: { XDG_CONFIG_HOME: config, ...extra } });
      const refused = await asUser(['login', '--url', cp.url, '--token', 'fjk_wrong']);
      expect(refused.code, report(refused)).toBe(1);
      await expect(stat(path.join(config, 'fjord', 'credentials.json'))).rejects.toThrow();

      // The token can come on stdin, so it stays out of the shell history.
      const login = await fjord(['login', '--url', cp.url], { env: { XDG_CONFIG_HOME: config }, input: `${token}\n` });
      expect(login.code, report(login)).toBe(0);
      expect(login.stdout).toContain('Logged in to CLI');
      const file = path.join(config, 'fjord', 'credentials.json');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ url: cp.url, token });

      const whoami = await asUser(['whoami']);
      expect(whoami.code, report(whoami)).toBe(0);
      expect(whoami.stdout).toMatch(/organization:\s+CLI/);
      expect(whoami.stdout).toContain('fjord cli test');
      expect(whoami.stdout).toContain(file);

      const overridden = await asUser(['whoami'], { FJORD_TOKEN: 'fjk_wrong' });
      expect(overridden.code, report(overridden)).toBe(1);

      expect((await asUser(['logout'])).code).toBe(0);
      const after = await asUser(['whoami']);
      expect(after.code).toBe(1);
      expect(after.stderr).toContain('no credentials');
    } finally {
      await rm(config, { recursive: true, force: true });
    }
  });

  it('clusters, topics, api keys and kafka-config: a client connects with the printed config', async () => {
    const created = await run('clusters', 'create', 'orders', '--plan', 'basic', '--wait');
    expect(created.code, report(created)).toBe(0);
    expect(created.stdout).toMatch(/status:\s+RUNNING/);
    const list = await run('clusters', 'list');
    expect(list.stdout).toMatch(/^NAME\s+ID\s+PLAN\s+REGION\s+STATUS\s+BOOTSTRAP$/m);
    expect(list.stdout).toMatch(/^orders\s+\S+\s+basic\s+local\s+RUNNING\s+127\.0\.0\.1:\d+$/m);
    const [cluster] = await json<{ id: string; name: string; bootstrapServers: string }[]>('clusters', 'list');
    expect((await json<{ id: string }>('clusters', 'get', cluster.id)).id).toBe(cluster.id);
    expect((await json<{ id: string }>('clusters', 'get', 'orders')).id).toBe(cluster.id);
    const missing = await run('clusters', 'get', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no cluster named nope');

    expect((await run('topics', 'create', 'events', '--cluster', 'orders', '--partitions', '2', '--config', 'retention.ms=3600000')).code).toBe(0);
    const altered = await json<{ partitions: unknown[]; configs: Record<string, string> }>('topics', 'alter', 'events', '-c', 'orders', '-p', '3', '--config', 'segment.ms=600000', '--delete-config', 'retention.ms');
    expect(altered.partitions).toHaveLength(3);
    expect(altered.configs).toEqual({ 'segment.ms': '600000' });
    const bad = await run('topics', 'alter', 'events', '-c', 'orders', '--config', 'retention.ms=soon');
    expect(bad.code, report(bad)).toBe(1);
    expect(bad.stderr).toContain('retention.ms');
    const described = await run('topics', 'describe', 'events', '-c', 'orders');
    expect(described.stdout).toMatch(/partitions:\s+3/);
    expect(described.stdout).toMatch(/^segment\.ms\s+600000$/m);
    expect((await run('topics', 'list', '-c', 'orders')).stdout).toMatch(/^events\s+3\s+1\s+0\s+0$/m);

    const key = await run('api-keys', 'create', '--cluster', 'orders', '--description', 'kcat');
    expect(key.code, report(key)).toBe(0);
    const username = /^key:\s+(\S+)$/m.exec(key.stdout)![1];
    const secret = /^secret:\s+(\S+)$/m.exec(key.stdout)![1];
    expect((await api.clusterApiKeys.list(cluster.id)).items.map((k) => k.key)).toEqual([username]);
    const listed = await run('api-keys', 'list', '--cluster', 'orders');
    expect(listed.stdout).toContain(username);
    expect(listed.stdout).not.toContain(secret);

    // librdkafka: kcat reads the printed file as is (-F), trusting the CA file it names.
    const conf = await run('kafka-config', '--cluster', 'orders', '--key', 'kcat', '--secret', secret);
    expect(conf.code, report(conf)).toBe(0);
    expect(conf.stdout).toContain(`bootstrap.servers=${cluster.bootstrapServers}`);
    expect(conf.stdout).toContain(`ssl.ca.location=${path.join(workDir, 'ca.pem')}`);
    const confFile = path.join(workDir, 'kafka.conf');
    await writeFile(confFile, conf.stdout);
    const produced = await runKcat(['-F', confFile, '-P', '-t', 'events'], 'one\ntwo\nthree\n');
    expect(produced.code, produced.stderr).toBe(0);
    const consumed = await runKcat(['-F', confFile, '-C', '-t', 'events', '-o', 'beginning', '-e', '-q']);
    expect(consumed.stdout.split('\n').filter(Boolean).sort()).toEqual(['one', 'three', 'two']);

    // kafkajs: the printed JSON is the client's config (the CA inline).
    const kafkajsConfig = await json<{ brokers: string[]; ssl: { ca: string[] }; sasl: { mechanism: 'plain'; username: string; password: string } }>(
      'kafka-config', '-c', 'orders', '-k', username, '--format', 'kafkajs', '--secret', secret,
    );
    const admin = new Kafka({ clientId: 'fjord-cli-test', ...kafkajsConfig, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toContain('events');
    } finally {
      await admin.disconnect();
    }

    // A kcat group reads the three records and commits on leaving: the group shows with no lag.
    const grouped = await runKcat(['-F', confFile, '-X', 'auto.offset.reset=earliest', '-G', 'cli-readers', 'events', '-e', '-q']);
    expect(grouped.stdout.split('\n').filter(Boolean).sort(), grouped.stderr).toEqual(['one', 'three', 'two']);
    const groups = await run('consumer-groups', 'list', '-c', 'orders');
    expect(groups.code, report(groups)).toBe(0);
    expect(groups.stdout).toMatch(/^cli-readers\s+classic\s+Empty\s+0\s+0$/m);
    const group = await json<{ offsets: { partition: number; committedOffset: number; lag: number }[] }>('consumer-groups', 'describe', 'cli-readers', '-c', 'orders');
    expect(group.offsets.reduce((sum, o) => sum + o.committedOffset, 0)).toBe(3);
    expect(group.offsets.every((o) => o.lag === 0)).toBe(true);
    expect((await run('consumer-groups', 'describe', 'cli-readers', '-c', 'orders')).stdout).toMatch(/^No members\.$/m);
    expect((await run('consumer-groups', 'delete', 'cli-readers', '-c', 'orders', '--yes')).code).toBe(0);
    const gone = await run('consumer-groups', 'describe', 'cli-readers', '-c', 'orders');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('consumer group cli-readers does not exist');

    const java = await run('kafka-config', '-c', 'orders', '-k', 'kcat', '--format', 'java');
    expect(java.stdout).toContain(`sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}"`);
    expect(java.stdout).toContain('ssl.truststore.type=PEM');
    expect(java.stderr).toContain(`no secret for ${username}`);

    // Deleting asks first; with no terminal to ask on, it needs --yes.
    const asked = await run('api-keys', 'delete', 'kcat', '--cluster', 'orders');
    expect(asked.code).toBe(1);
    expect(asked.stderr).toContain('--yes');
    expect((await run('api-keys', 'delete', 'kcat', '--cluster', 'orders', '--yes')).code).toBe(0);
    expect((await api.clusterApiKeys.list(cluster.id)).items).toEqual([]);
    expect((await run('topics', 'delete', 'events', '-c', 'orders', '-y')).code).toBe(0);
    expect((await api.topics.list(cluster.id)).items).toEqual([]);

    const deleted = await run('clusters', 'delete', 'orders', '--wait', '--yes');
    expect(deleted.code, report(deleted)).toBe(0);
    expect((await api.clusters.list()).items).toEqual([]);
  });

  it('on a terminal, a wait shows a spinner that ends in the outcome; a terminal without a size gets none', async () => {
    const sized = await fjordOnTerminal(['clusters', 'create', 'on-a-tty', '--wait'], { env, cwd: workDir, columns: 80, timeoutMs: 60_000 });
    expect(sized.code, sized.stdout).toBe(0);
    expect(sized.stdout).toMatch(/cluster on-a-tty is RUNNING \(\d+\.\d s\)/);
    expect(sized.stdout).toMatch(/status:\s+RUNNING/);
    const unsized = await fjordOnTerminal(['clusters', 'delete', 'on-a-tty', '--wait', '--yes'], { env, cwd: workDir, timeoutMs: 60_000 });
    expect(unsized.code, unsized.stdout).toBe(0);
    expect(unsized.stdout).toContain('cluster on-a-tty deleted');
    expect(unsized.stdout).not.toContain('is deleted (');
  });

  it("quotas: the organization's limits with their use, and one cluster's quotas against its plan", async () => {
    const created = await json<{ id: string }>('clusters', 'create', 'metered', '--wait');
    await api.clusters.updateQuotas(created.id, { maxPartitions: 10 });
    const org = await run('quotas');
    expect(org.code, report(org)).toBe(0);
    expect(org.stdout).toMatch(/^clusters\s+1\s+50$/m);
    expect(org.stdout).toMatch(/^metered\s+basic\s+/m);
    const asJson = await json<{ clusters: { used: number }; clusterQuotas: { name: string; partitions: { limit: number } }[] }>('quotas');
    expect(asJson.clusters.used).toBe(1);
    expect(asJson.clusterQuotas.map((c) => [c.name, c.partitions.limit])).toEqual([['metered', 10]]);

    const one = await run('quotas', '--cluster', 'metered');
    expect(one.code, report(one)).toBe(0);
    expect(one.stdout).toContain('cluster metered (plan basic)');
    const ceiling = (await api.plans.list()).items.find((p) => p.name === 'basic')!.limits.maxPartitions;
    expect(one.stdout).toMatch(new RegExp(`^maxPartitions\\s+10\\s+set\\s+${ceiling}$`, 'm'));
    expect(one.stdout).toMatch(/^maxConnections\s+\d+\s+plan\s+\d+$/m);

    const set = await run('quotas', 'set', '-c', 'metered', '--ingress-bytes-per-second', '2000000', '--max-partitions', 'plan', '--key-egress-bytes-per-second', '500000');
    expect(set.code, report(set)).toBe(0);
    expect(set.stdout).toMatch(/^ingressBytesPerSecond\s+2000000\s+set\s+\d+$/m);
    expect(set.stdout).toMatch(new RegExp(`^maxPartitions\\s+${ceiling}\\s+plan\\s+${ceiling}$`, 'm'));
    expect(set.stdout).toContain('default per key: ingress no limit B/s, egress 500000 B/s');
    const stored = await api.clusters.quotas(created.id);
    expect(stored.overrides).toEqual({ ingressBytesPerSecond: 2_000_000 });
    expect(stored.defaultKeyQuota).toEqual({ egressBytesPerSecond: 500_000 });

    const above = await run('quotas', 'set', '-c', 'metered', '--max-partitions', String(ceiling + 1));
    expect(above.code).not.toBe(0);
    expect(above.stderr).toMatch(/maxPartitions/);
    expect(above.stderr).not.toMatch(noStackTrace);
    const notANumber = await run('quotas', 'set', '-c', 'metered', '--max-connections', 'lots');
    expect(notANumber.code).not.toBe(0);
    expect(notANumber.stderr).toMatch(/Not a whole number/);
    const nothing = await run('quotas', 'set', '-c', 'metered');
    expect(nothing.code).not.toBe(0);
    expect(nothing.stderr).toMatch(/at least one quota/);
    expect((await run('quotas', 'set', '-c', 'metered', '--no-key-quota')).code).toBe(0);
    expect((await api.clusters.quotas(created.id)).defaultKeyQuota).toBeNull();

    expect((await run('api-keys', 'create', '-c', 'metered', '-d', 'throttled', '--secrets-out', 'throttled.json')).code).toBe(0);
    const keyQuota = await run('api-keys', 'quota', 'throttled', '-c', 'metered', '--ingress-bytes-per-second', '100000');
    expect(keyQuota.code, report(keyQuota)).toBe(0);
    expect(keyQuota.stdout).toMatch(/^ingress:\s+100000 B\/s$/m);
    expect(keyQuota.stdout).toMatch(/^egress:\s+cluster's default$/m);
    const [key] = (await api.clusterApiKeys.list(created.id)).items.filter((k) => k.description === 'throttled');
    expect(key.quota).toEqual({ ingressBytesPerSecond: 100_000 });
    expect((await run('api-keys', 'quota', 'throttled', '-c', 'metered', '--ingress-bytes-per-second', 'default')).code).toBe(0);
    expect((await api.clusterApiKeys.get(created.id, key.id)).quota).toEqual({});
    expect((await run('clusters', 'delete', 'metered', '--wait', '--yes')).code).toBe(0);
  });

  it('usage and invoices: what kcat produced shows up as metered bytes and on the draft invoice', async () => {
    await json('clusters', 'create', 'billed', '--wait');
    expect((await run('topics', 'create', 'metered', '-c', 'billed')).code).toBe(0);
    expect((await run('api-keys', 'create', '-c', 'billed', '-d', 'producer', '--secrets-out', 'billed.json')).code).toBe(0);
    const conf = await run('kafka-config', '-c', 'billed', '-k', 'producer', '--secrets-file', 'billed.json', '--ca-file', 'billed-ca.pem');
    await writeFile(path.join(workDir, 'billed.conf'), conf.stdout);
    const produced = await runKcat(['-F', path.join(workDir, 'billed.conf'), '-P', '-t', 'metered'], `${'x'.repeat(1000)}\n`.repeat(100));
    expect(produced.code, produced.stderr).toBe(0);

    type Usage = { items: { dimension: string; quantity: string; topic?: string }[] };
    const ingress = (u: Usage) => u.items.filter((i) => i.dimension === 'ingress_bytes' && i.topic === 'metered').reduce((sum, i) => sum + Number(i.quantity), 0);
    const metered = await until('the broker to report the produced bytes', async () => {
      const u = await json<Usage>('usage', '--cluster', 'billed', '--granularity', 'day', '--group-by', 'topic');
      return ingress(u) >= 100_000 ? u : undefined;
    }, 45_000, 1_000);
    expect(ingress(metered)).toBeGreaterThanOrEqual(100_000);
    const text = await run('usage', '--cluster', 'billed', '--group-by', 'topic');
    expect(text.stdout).toMatch(/^START\s+CLUSTER\s+DIMENSION\s+QUANTITY\s+UNIT\s+TOPIC$/m);
    expect(text.stdout).toMatch(/^\S+\s+billed\s+ingress_bytes\s+\d+\s+bytes\s+metered$/m);
    const badRange = await run('usage', '--from', 'last tuesday');
    expect(badRange.code).toBe(1);
    expect(badRange.stderr).toContain('--from takes a date or time');

    const invoices = await json<{ id: string; status: string; total: number; lines: { dimension: string; amount: number }[] }[]>('invoices');
    const draft = invoices.find((i) => i.status === 'draft')!;
    expect(draft.lines.some((l) => l.dimension === 'ingress_bytes')).toBe(true);
    expect((await run('invoices', 'list')).stdout).toMatch(new RegExp(`^${draft.id}\\s+\\S+ \\.\\. \\S+\\s+draft\\s+\\d+\\s+\\$\\d+\\.\\d{6}$`, 'm'));
    const shown = await run('invoices', 'get', draft.id);
    expect(shown.code, report(shown)).toBe(0);
    expect(shown.stdout).toMatch(/^billed\s+ingress_bytes\s+\d+\s+bytes\s+\$\d+\.\d{6} \/ GB\s+\$\d+\.\d{6}$/m);
    expect((await run('clusters', 'delete', 'billed', '--wait', '--yes')).code).toBe(0);
  });

  it('cloud API keys: create shows the secret once, and it works as FJORD_TOKEN; delete revokes it', async () => {
    const created = await json<{ id: string; secret: string }>('api-keys', 'create', '--description', 'ci');
    const asCi = await fjord(['whoami'], { env: { FJORD_URL: cp.url, FJORD_TOKEN: created.secret } });
    expect(asCi.stdout).toMatch(/api key:\s+ci/);
    const listed = await run('api-keys', 'list');
    expect(listed.stdout).toContain(created.id);
    expect(listed.stdout).not.toContain(created.secret);
    expect((await run('api-keys', 'delete', created.id, '--yes')).code).toBe(0);
    expect((await fjord(['whoami'], { env: { FJORD_URL: cp.url, FJORD_TOKEN: created.secret } })).code).toBe(1);
  });

  it('a usage mistake answers a message and exit 1', async () => {
    for (const args of [['clusters', 'frobnicate'], ['topics', 'list'], ['topics', 'create', 'x', '-c', 'orders', '-p', 'three'], ['plan']]) {
      const result = await run(...args);
      expect(result.code, report(result)).toBe(1);
      expect(result.stderr).toMatch(/error:/);
    }
  });
});
