import { Command, InvalidArgumentError, Option } from 'commander';
import { kafkaConfigFormats } from './commands/kafka-config-formats.ts';
import type { Context } from './context.ts';
import type { OutputFormat } from './io/io-host.ts';

export interface GlobalOptions {
  output: OutputFormat;
  quiet?: boolean;
}

export interface ProgramHooks {
  /** Builds the context a command runs with (credentials, io host, API client). */
  context(options: GlobalOptions): Promise<Context>;
  setExitCode(code: number): void;
}

/** A command's handler: its context, positional arguments, then its options; may answer an exit code. */
type Handler = (ctx: Context, ...args: any[]) => Promise<number | void>;

const collect = (value: string, previous: string[] = []) => [...previous, value];
const count = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Not a whole number.');
  return Number(value);
};
const positive = (value: string) => {
  const n = count(value);
  if (n === 0) throw new InvalidArgumentError('Must be above 0.');
  return n;
};
// commander turns a parsed null into '', so the words stay words here and become null in the command.
/** A quota value: a whole number, -1 (maxRetentionMs: unlimited), or `plan` for the plan's ceiling. */
const quotaValue = (value: string) => (value === 'plan' ? value : value === '-1' ? -1 : count(value));
const keyRate = (value: string) => (value === 'default' ? value : positive(value));

/** PlanLimits of packages/api, as flags: spelled out so `--help` and `--version` need not load zod. */
export const clusterQuotaFlags: ReadonlyArray<[flag: string, about: string]> = [
  ['ingress-bytes-per-second', 'produce throughput of the whole cluster'],
  ['egress-bytes-per-second', 'fetch throughput of the whole cluster'],
  ['max-partitions', 'partitions of all topics together'],
  ['storage-bytes', 'hot (broker-local) storage'],
  ['max-retention-ms', 'longest topic retention (-1: unlimited)'],
  ['max-message-bytes', 'largest record batch'],
  ['max-connections', 'client connections at once'],
];

/**
 * The one command table: every command, its arguments and options. Handlers load only when their
 * command runs (`--version` and `--help` read this file and commander alone).
 */
export function buildProgram(hooks: ProgramHooks): Command {
  const program = new Command('fjord')
    .description('Fjord, the managed Kafka-compatible streaming cloud, from the command line.\nCredentials: FJORD_URL (default http://127.0.0.1:8080) and FJORD_TOKEN (a cloud API key), or `fjord login`.')
    .version(FJORD_CLI_VERSION, '-V, --version')
    .addOption(new Option('-o, --output <format>', 'table (and text) for people, json for scripts').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'no progress or notices on stderr (errors still show)')
    .showHelpAfterError();
  program.configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  const run =
    <M>(load: () => Promise<M>, pick: (module: M) => Handler) =>
    async (...args: unknown[]) => {
      // commander passes the positional arguments, the command's options, then the command.
      const positional = args.slice(0, -2);
      const options = args.at(-2);
      const [module, ctx] = await Promise.all([load(), hooks.context(program.opts<GlobalOptions>())]);
      const code = await pick(module)(ctx, ...positional, options);
      if (typeof code === 'number') hooks.setExitCode(code);
    };
  const auth = () => import('./commands/auth.ts');
  const clusters = () => import('./commands/clusters.ts');
  const topics = () => import('./commands/topics.ts');
  const keys = () => import('./commands/api-keys.ts');
  const stack = () => import('./commands/stack.ts');

  program
    .command('login')
    .description('Check a cloud API key and keep it, with the API URL, in your config dir (credentials.json, mode 0600)')
    .option('--url <url>', 'the Fjord API (default: FJORD_URL, else http://127.0.0.1:8080)')
    .option('--token <key>', 'a cloud API key secret (else read from stdin: `echo $KEY | fjord login`)')
    .action(run(auth, (m) => m.login));
  program.command('logout').description('Forget the credentials `fjord login` kept').action(run(auth, (m) => m.logout));
  program.command('whoami').description('Who the credentials act as: organization, role, key').action(run(auth, (m) => m.whoami));

  const clusterCmd = program.command('clusters').description('Kafka clusters of the organization');
  clusterCmd.command('list').description('List clusters').action(run(clusters, (m) => m.list));
  clusterCmd
    .command('create <name>')
    .description('Create a cluster (it is PROVISIONING until its broker runs)')
    .option('--plan <plan>', 'basic, standard or dedicated', 'basic')
    .option('--region <region>', 'where it runs (local for `npm start`)')
    .option('--wait', 'wait until it is RUNNING')
    .action(run(clusters, (m) => m.create));
  clusterCmd.command('get <cluster>').description('Show a cluster (by name or id)').action(run(clusters, (m) => m.get));
  clusterCmd
    .command('delete <cluster>')
    .description('Delete a cluster (by name or id) with its data and keys')
    .option('--wait', 'wait until it is gone')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(run(clusters, (m) => m.remove));

  const cluster = () => new Option('-c, --cluster <cluster>', 'the cluster (name or id)').makeOptionMandatory();
  const topicCmd = program.command('topics').description("Topics of a cluster (read from and changed in the cluster's brokers)");
  topicCmd.command('list').description('List topics').addOption(cluster()).action(run(topics, (m) => m.list));
  topicCmd
    .command('create <name>')
    .description('Create a topic')
    .addOption(cluster())
    .option('-p, --partitions <n>', 'number of partitions', count, 1)
    .option('--replication-factor <n>', "copies of each partition (the cluster's default when absent)", count)
    .option('--config <name=value>', 'a topic config (repeat for more)', collect)
    .action(run(topics, (m) => m.create));
  topicCmd.command('describe <name>').description('Show a topic: partitions with offsets and sizes, configs').addOption(cluster()).action(run(topics, (m) => m.describe));
  topicCmd
    .command('alter <name>')
    .description('Add partitions to a topic or change its configs')
    .addOption(cluster())
    .option('-p, --partitions <n>', 'the new partition count (it only ever grows)', count)
    .option('--config <name=value>', 'set a topic config (repeat for more)', collect)
    .option('--delete-config <name>', 'remove a config override, back to the cluster default (repeat for more)', collect)
    .action(run(topics, (m) => m.alter));
  topicCmd
    .command('delete <name>')
    .description('Delete a topic and its data')
    .addOption(cluster())
    .option('-y, --yes', 'do not ask for confirmation')
    .action(run(topics, (m) => m.remove));

  const groups = () => import('./commands/consumer-groups.ts');
  const groupCmd = program.command('consumer-groups').description("Consumer groups of a cluster (classic and KIP-848), with their members and lag");
  groupCmd.command('list').description('List consumer groups with their state, members and total lag').addOption(cluster()).action(run(groups, (m) => m.list));
  groupCmd
    .command('describe <group>')
    .description("Show a group: members with the partitions each owns, committed offsets with each partition's lag")
    .addOption(cluster())
    .action(run(groups, (m) => m.describe));
  groupCmd
    .command('delete <group>')
    .description('Delete a group with no members, and its committed offsets')
    .addOption(cluster())
    .option('-y, --yes', 'do not ask for confirmation')
    .action(run(groups, (m) => m.remove));

  const keyCluster = ['-c, --cluster <cluster>', "a cluster's API keys (SASL/PLAIN credentials); without it, the organization's cloud API keys"] as const;
  const keyCmd = program.command('api-keys').description("Cluster API keys (Kafka credentials) with --cluster, else the organization's cloud API keys");
  keyCmd.command('list').description('List API keys').option(...keyCluster).action(run(keys, (m) => m.list));
  keyCmd
    .command('create')
    .description('Create an API key: its secret is shown this once (or written to --secrets-out)')
    .option(...keyCluster)
    .requiredOption('-d, --description <text>', 'what the key is for (its name)')
    .option('--secrets-out <file>', 'write the cluster key and its secret to this JSON file (mode 0600, added to what it holds) instead of printing the secret')
    .action(run(keys, (m) => m.create));
  keyCmd
    .command('quota <key>')
    .description("Set a cluster API key's own byte rates (by id, key or description); `default` gives a rate back to the cluster's default for keys")
    .addOption(cluster())
    .option('--ingress-bytes-per-second <n|default>', 'produce rate of this key over all its connections', keyRate)
    .option('--egress-bytes-per-second <n|default>', 'fetch rate of this key over all its connections', keyRate)
    .action(run(keys, (m) => m.quota));
  keyCmd
    .command('delete <key>')
    .description('Revoke an API key (by id, key or description)')
    .option(...keyCluster)
    .option('-y, --yes', 'do not ask for confirmation')
    .action(run(keys, (m) => m.remove));

  program
    .command('kafka-config')
    .description('Print a ready Kafka client config for a cluster and one of its API keys (librdkafka/kcat, kafkajs or Java properties)')
    .requiredOption('-c, --cluster <cluster>', 'the cluster (name or id)')
    .requiredOption('-k, --key <key>', 'the cluster API key (id, key or description)')
    .addOption(new Option('--format <format>', 'client config format').choices(kafkaConfigFormats).default('librdkafka'))
    .option('--secret <secret>', "the key's secret (else FJORD_KAFKA_SECRET, or --secrets-file)")
    .option('--secrets-file <file>', 'a secrets file written by `apply --secrets-out` or `api-keys create --secrets-out`')
    .option('--ca-file <file>', "where to write the cluster's CA certificate (librdkafka and java; kafkajs holds it inline)", 'ca.pem')
    .action(run(() => import('./commands/kafka-config.ts'), (m) => m.kafkaConfig));

  const quotas = () => import('./commands/quotas.ts');
  const quotaCmd = program
    .command('quotas')
    .description("The organization's limits with their use and each cluster's quotas with its current use; with --cluster, one cluster's quotas against its plan")
    .option('-c, --cluster <cluster>', 'one cluster (name or id)')
    .action(run(quotas, (m) => m.quotas));
  const setQuotas = quotaCmd
    .command('set')
    .description("Set a cluster's quotas at or below its plan's ceiling (`plan` puts one back to the ceiling), and the default byte rates of its keys")
    .option('-c, --cluster <cluster>', 'the cluster (name or id)');
  // The flags are the API's PlanLimits fields in kebab-case (apps/cli/test/quotas-set.test.ts checks they agree).
  for (const [flag, about] of clusterQuotaFlags) setQuotas.option(`--${flag} <n|plan>`, about, quotaValue);
  setQuotas
    .option('--key-ingress-bytes-per-second <n>', 'default produce rate of each cluster API key without its own', positive)
    .option('--key-egress-bytes-per-second <n>', 'default fetch rate of each cluster API key without its own', positive)
    .option('--no-key-quota', 'remove the default byte rates of keys (they share the cluster quota)')
    // commander hands a -c after `set` to `quotas`, which declares it too: take it from either.
    .action(run(quotas, (m) => (ctx, options) => m.setQuotas(ctx, { ...options, cluster: options.cluster ?? quotaCmd.opts().cluster })));

  program
    .command('usage')
    .description('Metered usage in hourly or daily buckets, per cluster and dimension (the last 24 hours unless --from/--to)')
    .option('-c, --cluster <cluster>', 'one cluster (name or id)')
    .option('--from <time>', 'start of the range, e.g. 2026-12-01 or 2026-12-01T10:00:00Z (default: 24 hours before --to)')
    .option('--to <time>', 'end of the range, exclusive (default: now)')
    .addOption(new Option('--granularity <unit>', 'bucket size').choices(['hour', 'day']).default('hour'))
    .addOption(new Option('--group-by <what>', 'break each bucket down').choices(['topic', 'apiKey']))
    .action(run(() => import('./commands/usage.ts'), (m) => m.usage));

  const invoices = () => import('./commands/invoices.ts');
  const invoiceCmd = program.command('invoices').description('Invoices: the running month as a draft, earlier months finalized');
  invoiceCmd.command('list', { isDefault: true }).description('List invoices').action(run(invoices, (m) => m.list));
  invoiceCmd.command('get <id>').description('Show an invoice with its priced lines').action(run(invoices, (m) => m.get));

  const file = () => new Option('-f, --file <stack.yaml>', 'the stack file').makeOptionMandatory();
  program
    .command('plan')
    .description('Show what `apply` would change: the stack file against what exists in the organization (+ create, ~ update in place, - destroy, -/+ replace)')
    .addOption(file())
    .option('--detailed-exitcode', 'exit 0 with no changes, 2 with changes, 1 on error (as terraform plan)')
    .option('--destroy', 'show what `destroy` would remove instead')
    .action(run(stack, (m) => m.plan));
  program
    .command('apply')
    .description('Make the organization match the stack file: shows the plan, asks, then creates, updates and deletes in dependency order')
    .addOption(file())
    .option('--auto-approve', 'apply without asking (required when stdin is not a terminal)')
    .option('--secrets-out <file>', 'write new cluster API key secrets to this JSON file (mode 0600, added to what it holds) instead of printing them')
    .action(run(stack, (m) => m.apply));
  program
    .command('destroy')
    .description('Delete every cluster the stack file declares, with its topics and keys')
    .addOption(file())
    .option('--auto-approve', 'destroy without asking (required when stdin is not a terminal)')
    .action(run(stack, (m) => m.destroy));

  const exitOverride = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}
