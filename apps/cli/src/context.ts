import { createClient, NotFoundError, type Cluster, type ClusterStatus, type FjordClient } from '@fjord/sdk';
import { resolveCredentials, type Credentials } from './credentials.ts';
import { CliError } from './errors.ts';
import type { IoHost } from './io/io-host.ts';

/** What every command runs with: the io host, the credentials and (lazily) an API client. */
export interface Context {
  io: IoHost;
  credentials: Credentials;
  /** The client for the resolved URL and token; fails with a clear message when there is no token. */
  api(): FjordClient;
}

export async function createContext(io: IoHost, env: NodeJS.ProcessEnv = process.env): Promise<Context> {
  const credentials = await resolveCredentials(env);
  let client: FjordClient | undefined;
  return {
    io,
    credentials,
    api() {
      if (!credentials.token) {
        throw new CliError('FJ_CLI_E0002', 'no credentials: set FJORD_TOKEN to a cloud API key (POST /v1/api-keys, or the console), or run `fjord login --token <key>`');
      }
      return (client ??= createClient({ baseUrl: credentials.url, apiKey: credentials.token }));
    },
  };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A cluster of the organization by id or by name. */
export async function findCluster(api: FjordClient, nameOrId: string): Promise<Cluster> {
  if (uuid.test(nameOrId)) {
    try {
      return await api.clusters.get(nameOrId);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  for await (const cluster of api.clusters.all()) if (cluster.name === nameOrId) return cluster;
  throw new CliError('FJ_CLI_E0009', `no cluster named ${nameOrId} in this organization (\`fjord clusters list\` shows them)`);
}

const waitTimeoutMs = 300_000;

/** Waits for a cluster's status through the SDK's long polls, with a spinner on a terminal. */
export async function waitForCluster(ctx: Context, cluster: Cluster, status: Extract<ClusterStatus, 'RUNNING' | 'DELETED'>): Promise<Cluster | undefined> {
  const progress = ctx.io.progress('FJ_CLI_I1001', `cluster ${cluster.name}: waiting for ${status}...`);
  const started = Date.now();
  try {
    const done = await ctx.api().clusters.waitFor(cluster.id, status, { timeoutMs: waitTimeoutMs });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    progress.succeed(status === 'RUNNING' ? `cluster ${cluster.name} is RUNNING (${seconds} s)` : `cluster ${cluster.name} is deleted (${seconds} s)`);
    return done;
  } catch (err) {
    progress.fail(`cluster ${cluster.name}: not ${status}`);
    // The SDK says why in a plain Error (FAILED with its reason, or still waiting at the deadline).
    if (err instanceof Error && err.constructor === Error) throw new CliError('FJ_CLI_E0010', err.message);
    throw err;
  }
}
