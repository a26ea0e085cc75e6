import {
  canBecome,
  endpoints,
  maxClusterWaitMs,
  type Cluster,
  type ClusterStatus,
  type Endpoint,
  type EndpointInput,
  type EndpointOutput,
  type Endpoints,
  type OperationName,
  type Page,
} from '@fjord/api';
import { errorFromResponse, FjordApiError } from './errors.ts';

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:8080` */
  baseUrl: string;
  /** A cloud API key secret, sent as `Authorization: Bearer`. Without one, the client signs in with `login`/`signup` and keeps the session cookie. */
  apiKey?: string;
  fetch?: typeof globalThis.fetch;
}

export interface RequestOptions {
  /** Makes a mutation safe to retry: a retry with the same key returns the first answer. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

const sessionCookie = 'fjord_session';

/** The operations whose answer is also served as CSV. */
type CsvOperationName = { [N in OperationName]: Endpoints[N] extends { csv: true } ? N : never }[OperationName];

/** Typed client of the Fjord REST API, built from the endpoint table of @fjord/api. */
export class FjordClient {
  readonly baseUrl: string;
  #apiKey?: string;
  #session?: string;
  readonly #fetch: typeof globalThis.fetch;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** The session cookie value after `signup`/`login` (for handing to a browser or another client). */
  get session(): string | undefined {
    return this.#session;
  }

  /** Uses an existing session cookie value. */
  useSession(token: string | undefined): this {
    this.#session = token;
    return this;
  }

  /** Calls one operation by name; validated input in, parsed output out, FjordApiError subclasses on failure. */
  async request<N extends OperationName>(
    name: N,
    input: EndpointInput<Endpoints[N]>,
    options: RequestOptions = {},
  ): Promise<EndpointOutput<Endpoints[N]>> {
    const endpoint: Endpoint = endpoints[name];
    const text = await this.#send(endpoint, input, options, `${endpoint.produces ?? 'application/json'}, application/problem+json`);
    if (!endpoint.response) return undefined as EndpointOutput<Endpoints[N]>;
    return endpoint.response.parse(endpoint.produces ? text : JSON.parse(text)) as EndpointOutput<Endpoints[N]>;
  }

  /** Calls an operation that also answers CSV (`Accept: text/csv`) and returns the CSV text. */
  async requestCsv<N extends CsvOperationName>(name: N, input: EndpointInput<Endpoints[N]>, options: RequestOptions = {}): Promise<string> {
    return this.#send(endpoints[name], input, options, 'text/csv, application/problem+json');
  }

  async #send(endpoint: Endpoint, input: unknown, options: RequestOptions, accept: string): Promise<string> {
    const { params, query, body } = input as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
    const path = endpoint.path.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(String(params?.[key])));
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(key, String(value));
    const url = `${this.baseUrl}${path}${search.size > 0 ? `?${search}` : ''}`;

    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    else if (this.#session) headers.cookie = `${sessionCookie}=${this.#session}`;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;

    const response = await this.#fetch(url, {
      method: endpoint.method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
    this.#keepSession(response);
    const text = await response.text();
    if (response.status !== endpoint.status) throw errorFromResponse(response.status, path, text);
    return text;
  }

  #keepSession(response: Response) {
    // In a browser, Set-Cookie is never readable: the browser keeps the session itself.
    for (const cookie of response.headers.getSetCookie?.() ?? []) {
      const [pair, ...attributes] = cookie.split(';');
      const [name, value] = pair.split('=');
      if (name.trim() !== sessionCookie) continue;
      const expired = attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) <= Date.now());
      this.#session = value && !expired ? value : undefined;
    }
  }

  /** Follows `nextCursor` through every page of a list operation. */
  async *paginate<T>(list: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const page = await list(cursor);
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  // Accounts
  signup = (body: EndpointInput<Endpoints['signup']>['body'], options?: RequestOptions) => this.request('signup', { body }, options);
  login = (body: EndpointInput<Endpoints['login']>['body'], options?: RequestOptions) => this.request('login', { body }, options);
  logout = async (options?: RequestOptions) => {
    await this.request('logout', {}, options);
    this.#session = undefined;
  };
  me = (options?: RequestOptions) => this.request('me', {}, options);

  /** The organization's limits with their use, and each cluster's effective quotas with its current use. */
  quotas = () => this.request('getQuotas', {});

  /** The plan table (public): limits and prices of each plan. */
  readonly plans = {
    list: () => this.request('listPlans', {}),
  };

  readonly clusters = {
    list: (query?: { limit?: number; cursor?: string }) => this.request('listClusters', { query }),
    all: () => this.paginate((cursor) => this.clusters.list({ cursor, limit: 100 })),
    /** Answers at once with status PROVISIONING; see `waitFor`. */
    create: (body: EndpointInput<Endpoints['createCluster']>['body'], options?: RequestOptions) => this.request('createCluster', { body }, options),
    /** With `waitFor`, a long poll: answers once the cluster has that status or cannot reach it, else after `timeoutMs` (max 30 s); check `status`. */
    get: (id: string, wait?: { waitFor: ClusterStatus; timeoutMs?: number; signal?: AbortSignal }) =>
      this.request('getCluster', { params: { id }, ...(wait ? { query: { waitFor: wait.waitFor, timeoutMs: wait.timeoutMs } } : {}) }, { signal: wait?.signal }),
    /** Changes settings (`{settings: {autoCreateTopics}}`); the brokers apply them within a second. */
    update: (id: string, body: EndpointInput<Endpoints['updateCluster']>['body'], options?: RequestOptions) =>
      this.request('updateCluster', { params: { id }, body }, options),
    /** The plan's ceiling, the quotas set below it, what holds, and the default byte rates of the cluster's keys. */
    quotas: (id: string) => this.request('getClusterQuotas', { params: { id } }),
    /** Sets quotas at or below the plan's ceiling (null: back to the ceiling); the brokers apply them within a second. */
    updateQuotas: (id: string, body: EndpointInput<Endpoints['updateClusterQuotas']>['body'], options?: RequestOptions) =>
      this.request('updateClusterQuotas', { params: { id }, body }, options),
    /** Answers at once with status DELETING; the cluster then disappears (404). */
    delete: (id: string, options?: RequestOptions) => this.request('deleteCluster', { params: { id } }, options),
    /** The CA certificate (PEM) Kafka clients trust to connect over SASL_SSL. */
    caPem: (id: string) => this.request('getClusterCaCertificate', { params: { id } }),
    events: (id: string, query?: { limit?: number; cursor?: string }) => this.request('listClusterEvents', { params: { id }, query }),
    allEvents: (id: string) => this.paginate((cursor) => this.clusters.events(id, { cursor, limit: 100 })),
    /**
     * Waits until the cluster's status is `status` (or, for `DELETED`, until it is gone), one long poll
     * after another until `timeoutMs`. A cluster that turns FAILED, or can otherwise no longer reach
     * `status`, throws with its state.
     */
    waitFor: async (id: string, status: ClusterStatus, options: { timeoutMs?: number; signal?: AbortSignal } = {}) => {
      const deadline = Date.now() + (options.timeoutMs ?? 120_000);
      for (;;) {
        const timeoutMs = Math.min(maxClusterWaitMs, Math.max(0, deadline - Date.now()));
        let cluster: Cluster;
        try {
          cluster = await this.clusters.get(id, { waitFor: status, timeoutMs, signal: options.signal });
        } catch (err) {
          if (status === 'DELETED' && err instanceof FjordApiError && err.status === 404) return undefined;
          throw err;
        }
        if (cluster.status === status) return cluster;
        if (cluster.status === 'FAILED') throw new Error(`cluster ${id} FAILED: ${cluster.failureReason ?? 'no reason given'}`);
        if (!canBecome(cluster.status, status)) throw new Error(`cluster ${id} is ${cluster.status} and will not become ${status}`);
        if (Date.now() >= deadline) throw new Error(`cluster ${id} is still ${cluster.status} (waited for ${status})`);
      }
    },
  };

  /** Metered usage in hourly or daily buckets, optionally per topic or per cluster API key. */
  readonly usage = {
    get: (query: EndpointInput<Endpoints['getUsage']>['query'] & {}) => this.request('getUsage', { query }),
    /** The same buckets as CSV, one row each. */
    csv: (query: EndpointInput<Endpoints['getUsage']>['query'] & {}) => this.requestCsv('getUsage', { query }),
  };

  /** Invoices: the running month as a draft, earlier months finalized (amounts in integer micros of USD). */
  readonly invoices = {
    list: () => this.request('listInvoices', {}),
    get: (id: string) => this.request('getInvoice', { params: { id } }),
    /** An invoice's lines as CSV, each row naming the invoice. */
    csv: (id: string) => this.requestCsv('getInvoice', { params: { id } }),
  };

  /** SASL/PLAIN credentials of a cluster: username `key`, password `secret` (shown once). */
  readonly clusterApiKeys = {
    list: (clusterId: string, query?: { limit?: number; cursor?: string }) => this.request('listClusterApiKeys', { params: { id: clusterId }, query }),
    all: (clusterId: string) => this.paginate((cursor) => this.clusterApiKeys.list(clusterId, { cursor, limit: 100 })),
    create: (clusterId: string, body: { description: string }, options?: RequestOptions) =>
      this.request('createClusterApiKey', { params: { id: clusterId }, body }, options),
    get: (clusterId: string, keyId: string) => this.request('getClusterApiKey', { params: { id: clusterId, keyId } }),
    /** A new description, or this key's own byte rates (`{quota: {ingressBytesPerSecond, egressBytesPerSecond}}`, null clears one). */
    update: (clusterId: string, keyId: string, body: EndpointInput<Endpoints['updateClusterApiKey']>['body'], options?: RequestOptions) =>
      this.request('updateClusterApiKey', { params: { id: clusterId, keyId }, body }, options),
    delete: (clusterId: string, keyId: string, options?: RequestOptions) => this.request('deleteClusterApiKey', { params: { id: clusterId, keyId } }, options),
  };

  readonly apiKeys = {
    list: (query?: { limit?: number; cursor?: string }) => this.request('listApiKeys', { query }),
    all: () => this.paginate((cursor) => this.apiKeys.list({ cursor, limit: 100 })),
    create: (body: { description: string }, options?: RequestOptions) => this.request('createApiKey', { body }, options),
    get: (id: string) => this.request('getApiKey', { params: { id } }),
    delete: (id: string, options?: RequestOptions) => this.request('deleteApiKey', { params: { id } }, options),
  };

  readonly members = {
    list: (query?: { limit?: number; cursor?: string }) => this.request('listMembers', { query }),
    all: () => this.paginate((cursor) => this.members.list({ cursor, limit: 100 })),
    add: (body: EndpointInput<Endpoints['addMember']>['body'], options?: RequestOptions) => this.request('addMember', { body }, options),
    get: (id: string) => this.request('getMember', { params: { id } }),
    update: (id: string, body: EndpointInput<Endpoints['updateMember']>['body'], options?: RequestOptions) =>
      this.request('updateMember', { params: { id }, body }, options),
    remove: (id: string, options?: RequestOptions) => this.request('removeMember', { params: { id } }, options),
  };

  /** Topics of a cluster, read from and changed in the cluster itself (Kafka Admin protocol). */
  readonly topics = {
    list: (clusterId: string, query?: { limit?: number; cursor?: string }) => this.request('listTopics', { params: { id: clusterId }, query }),
    all: (clusterId: string) => this.paginate((cursor) => this.topics.list(clusterId, { cursor, limit: 100 })),
    create: (clusterId: string, body: EndpointInput<Endpoints['createTopic']>['body'], options?: RequestOptions) =>
      this.request('createTopic', { params: { id: clusterId }, body }, options),
    get: (clusterId: string, name: string) => this.request('getTopic', { params: { id: clusterId, name } }),
    update: (clusterId: string, name: string, body: EndpointInput<Endpoints['updateTopic']>['body'], options?: RequestOptions) =>
      this.request('updateTopic', { params: { id: clusterId, name }, body }, options),
    delete: (clusterId: string, name: string, options?: RequestOptions) => this.request('deleteTopic', { params: { id: clusterId, name } }, options),
    /** The latest `limit` records (default 20, at most 100) of one partition (default 0), oldest first. */
    messages: (clusterId: string, name: string, query?: EndpointInput<Endpoints['listTopicMessages']>['query']) =>
      this.request('listTopicMessages', { params: { id: clusterId, name }, query }),
  };

  /** Consumer groups, classic and KIP-848, as the cluster's group coordinators know them. */
  readonly consumerGroups = {
    list: (clusterId: string, query?: { limit?: number; cursor?: string }) => this.request('listConsumerGroups', { params: { id: clusterId }, query }),
    all: (clusterId: string) => this.paginate((cursor) => this.consumerGroups.list(clusterId, { cursor, limit: 100 })),
    /** Members with the partitions each owns, and committed offsets with each partition's lag. */
    get: (clusterId: string, groupId: string) => this.request('getConsumerGroup', { params: { id: clusterId, groupId } }),
    /** Refused (409) while the group has members. */
    delete: (clusterId: string, groupId: string, options?: RequestOptions) => this.request('deleteConsumerGroup', { params: { id: clusterId, groupId } }, options),
  };

  readonly auditEvents = {
    list: (query?: { limit?: number; cursor?: string }) => this.request('listAuditEvents', { query }),
    all: () => this.paginate((cursor) => this.auditEvents.list({ cursor, limit: 100 })),
  };
}

export function createClient(options: ClientOptions): FjordClient {
  return new FjordClient(options);
}
