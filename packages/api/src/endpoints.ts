import { z } from 'zod';
import { Me, LoginRequest, SignupRequest } from './accounts.ts';
import { ApiKey, ApiKeyPage, CreateApiKeyRequest, CreatedApiKey } from './api-keys.ts';
import { AuditEventPage } from './audit.ts';
import { ClusterApiKey, ClusterApiKeyPage, ClusterApiKeyParams, CreateClusterApiKeyRequest, CreatedClusterApiKey, UpdateClusterApiKeyRequest } from './cluster-api-keys.ts';
import { Cluster, ClusterEventPage, ClusterPage, CreateClusterRequest, GetClusterQuery, UpdateClusterRequest } from './clusters.ts';
import { IdParams } from './common.ts';
import { AddMemberRequest, Member, MemberPage, UpdateMemberRequest } from './members.ts';
import { TopicMessages, TopicMessagesQuery } from './messages.ts';
import { PageQuery } from './pagination.ts';
import { Invoice, InvoiceList } from './invoices.ts';
import { PlanList } from './plans.ts';
import { ClusterQuotas, OrganizationQuotas, UpdateClusterQuotasRequest } from './quotas.ts';
import { ClusterTopicsParams, CreateTopicRequest, Topic, TopicPage, TopicParams, UpdateTopicRequest } from './topics.ts';
import { UsageList, UsageQuery } from './usage.ts';

/**
 * One operation of the REST API. The control plane registers its routes from these, the OpenAPI
 * document is generated from those routes, and the SDK builds its requests from the same table.
 */
export interface Endpoint {
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** fastify-style path (`/v1/api-keys/:id`). */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** `public` routes need no credentials; all others need a session cookie or an API key. */
  readonly auth: 'public' | 'required';
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly status: 200 | 201 | 202 | 204;
  /** Schema of the success body; absent for 204. */
  readonly response?: z.ZodType;
  /** Media type of a success body that is not JSON (a string then, sent as is). */
  readonly produces?: 'application/x-pem-file';
  /** The success body is also served as CSV to a request whose Accept names text/csv. */
  readonly csv?: true;
}

function endpoint<const E extends Endpoint>(e: E): E {
  return e;
}

export const endpoints = {
  signup: endpoint({
    operationId: 'signup',
    method: 'POST',
    path: '/v1/signup',
    summary: 'Create an account and its organization, and sign in (an email that has an account gets the same answer; nothing is created)',
    tag: 'accounts',
    auth: 'public',
    body: SignupRequest,
    status: 201,
    response: Me,
  }),
  login: endpoint({
    operationId: 'login',
    method: 'POST',
    path: '/v1/login',
    summary: 'Sign in with email and password (sets the session cookie)',
    tag: 'accounts',
    auth: 'public',
    body: LoginRequest,
    status: 200,
    response: Me,
  }),
  logout: endpoint({
    operationId: 'logout',
    method: 'POST',
    path: '/v1/logout',
    summary: 'End the current session',
    tag: 'accounts',
    auth: 'required',
    status: 204,
  }),
  me: endpoint({
    operationId: 'getMe',
    method: 'GET',
    path: '/v1/me',
    summary: 'The caller, their organization and role',
    tag: 'accounts',
    auth: 'required',
    status: 200,
    response: Me,
  }),
  listMembers: endpoint({
    operationId: 'listMembers',
    method: 'GET',
    path: '/v1/organization/members',
    summary: "List the organization's members",
    tag: 'members',
    auth: 'required',
    query: PageQuery,
    status: 200,
    response: MemberPage,
  }),
  addMember: endpoint({
    operationId: 'addMember',
    method: 'POST',
    path: '/v1/organization/members',
    summary: 'Add an existing Fjord account to the organization',
    tag: 'members',
    auth: 'required',
    body: AddMemberRequest,
    status: 201,
    response: Member,
  }),
  getMember: endpoint({
    operationId: 'getMember',
    method: 'GET',
    path: '/v1/organization/members/:id',
    summary: 'Get a member',
    tag: 'members',
    auth: 'required',
    params: IdParams,
    status: 200,
    response: Member,
  }),
  updateMember: endpoint({
    operationId: 'updateMember',
    method: 'PATCH',
    path: '/v1/organization/members/:id',
    summary: "Change a member's role",
    tag: 'members',
    auth: 'required',
    params: IdParams,
    body: UpdateMemberRequest,
    status: 200,
    response: Member,
  }),
  removeMember: endpoint({
    operationId: 'removeMember',
    method: 'DELETE',
    path: '/v1/organization/members/:id',
    summary: 'Remove a member from the organization',
    tag: 'members',
    auth: 'required',
    params: IdParams,
    status: 204,
  }),
  listApiKeys: endpoint({
    operationId: 'listApiKeys',
    method: 'GET',
    path: '/v1/api-keys',
    summary: "List the organization's cloud API keys",
    tag: 'api-keys',
    auth: 'required',
    query: PageQuery,
    status: 200,
    response: ApiKeyPage,
  }),
  createApiKey: endpoint({
    operationId: 'createApiKey',
    method: 'POST',
    path: '/v1/api-keys',
    summary: 'Create a cloud API key (its secret is returned once)',
    tag: 'api-keys',
    auth: 'required',
    body: CreateApiKeyRequest,
    status: 201,
    response: CreatedApiKey,
  }),
  getApiKey: endpoint({
    operationId: 'getApiKey',
    method: 'GET',
    path: '/v1/api-keys/:id',
    summary: 'Get a cloud API key (without its secret)',
    tag: 'api-keys',
    auth: 'required',
    params: IdParams,
    status: 200,
    response: ApiKey,
  }),
  deleteApiKey: endpoint({
    operationId: 'deleteApiKey',
    method: 'DELETE',
    path: '/v1/api-keys/:id',
    summary: 'Revoke a cloud API key',
    tag: 'api-keys',
    auth: 'required',
    params: IdParams,
    status: 204,
  }),
  listPlans: endpoint({
    operationId: 'listPlans',
    method: 'GET',
    path: '/v1/plans',
    summary: 'The plans a cluster can be created on, with their limits and prices',
    tag: 'plans',
    auth: 'public',
    status: 200,
    response: PlanList,
  }),
  listClusters: endpoint({
    operationId: 'listClusters',
    method: 'GET',
    path: '/v1/clusters',
    summary: "List the organization's clusters",
    tag: 'clusters',
    auth: 'required',
    query: PageQuery,
    status: 200,
    response: ClusterPage,
  }),
  createCluster: endpoint({
    operationId: 'createCluster',
    method: 'POST',
    path: '/v1/clusters',
    summary: 'Create a cluster (provisioned asynchronously: GET it with ?waitFor=RUNNING)',
    tag: 'clusters',
    auth: 'required',
    body: CreateClusterRequest,
    status: 202,
    response: Cluster,
  }),
  getCluster: endpoint({
    operationId: 'getCluster',
    method: 'GET',
    path: '/v1/clusters/:id',
    summary: 'Get a cluster: status and bootstrap servers; with waitFor, once it has that status (long poll)',
    tag: 'clusters',
    auth: 'required',
    params: IdParams,
    query: GetClusterQuery,
    status: 200,
    response: Cluster,
  }),
  updateCluster: endpoint({
    operationId: 'updateCluster',
    method: 'PATCH',
    path: '/v1/clusters/:id',
    summary: "Change a cluster's settings (autoCreateTopics); brokers apply it within a second",
    tag: 'clusters',
    auth: 'required',
    params: IdParams,
    body: UpdateClusterRequest,
    status: 200,
    response: Cluster,
  }),
  deleteCluster: endpoint({
    operationId: 'deleteCluster',
    method: 'DELETE',
    path: '/v1/clusters/:id',
    summary: 'Delete a cluster, its data and its tiered objects (asynchronous: DELETING, then gone)',
    tag: 'clusters',
    auth: 'required',
    params: IdParams,
    status: 202,
    response: Cluster,
  }),
  getClusterCaCertificate: endpoint({
    operationId: 'getClusterCaCertificate',
    method: 'GET',
    path: '/v1/clusters/:id/ca.pem',
    summary: "The CA certificate (PEM) that signs the cluster's broker certificates: Kafka clients trust it for SASL_SSL",
    tag: 'clusters',
    auth: 'required',
    params: IdParams,
    status: 200,
    produces: 'application/x-pem-file',
    response: z.string().describe('One PEM certificate (`ssl.ca.location` for librdkafka, `ssl: { ca }` for kafkajs)'),
  }),
  listClusterEvents: endpoint({
    operationId: 'listClusterEvents',
    method: 'GET',
    path: '/v1/clusters/:id/events',
    summary: "The cluster's lifecycle as the reconciler saw it, oldest first",
    tag: 'clusters',
    auth: 'required',
    params: IdParams,
    query: PageQuery,
    status: 200,
    response: ClusterEventPage,
  }),
  listClusterApiKeys: endpoint({
    operationId: 'listClusterApiKeys',
    method: 'GET',
    path: '/v1/clusters/:id/api-keys',
    summary: "List the cluster's API keys (SASL/PLAIN credentials)",
    tag: 'cluster-api-keys',
    auth: 'required',
    params: IdParams,
    query: PageQuery,
    status: 200,
    response: ClusterApiKeyPage,
  }),
  createClusterApiKey: endpoint({
    operationId: 'createClusterApiKey',
    method: 'POST',
    path: '/v1/clusters/:id/api-keys',
    summary: 'Create a cluster API key (its secret is returned once; it works on the next connection)',
    tag: 'cluster-api-keys',
    auth: 'required',
    params: IdParams,
    body: CreateClusterApiKeyRequest,
    status: 201,
    response: CreatedClusterApiKey,
  }),
  getClusterApiKey: endpoint({
    operationId: 'getClusterApiKey',
    method: 'GET',
    path: '/v1/clusters/:id/api-keys/:keyId',
    summary: 'Get a cluster API key (without its secret)',
    tag: 'cluster-api-keys',
    auth: 'required',
    params: ClusterApiKeyParams,
    status: 200,
    response: ClusterApiKey,
  }),
  updateClusterApiKey: endpoint({
    operationId: 'updateClusterApiKey',
    method: 'PATCH',
    path: '/v1/clusters/:id/api-keys/:keyId',
    summary: "Change a cluster API key's description or its own byte rates (brokers apply quotas within a second)",
    tag: 'cluster-api-keys',
    auth: 'required',
    params: ClusterApiKeyParams,
    body: UpdateClusterApiKeyRequest,
    status: 200,
    response: ClusterApiKey,
  }),
  deleteClusterApiKey: endpoint({
    operationId: 'deleteClusterApiKey',
    method: 'DELETE',
    path: '/v1/clusters/:id/api-keys/:keyId',
    summary: 'Revoke a cluster API key (brokers refuse it and close its connections within a second)',
    tag: 'cluster-api-keys',
    auth: 'required',
    params: ClusterApiKeyParams,
    status: 204,
  }),
  getQuotas: endpoint({
    operationId: 'getQuotas',
    method: 'GET',
    path: '/v1/quotas',
    summary: "The organization's limits with their use, and each cluster's effective quotas with its current use",
    tag: 'quotas',
    auth: 'required',
    status: 200,
    response: OrganizationQuotas,
  }),
  getClusterQuotas: endpoint({
    operationId: 'getClusterQuotas',
    method: 'GET',
    path: '/v1/clusters/:id/quotas',
    summary: "A cluster's quotas: the plan's ceiling, what is set below it, what holds, and the default for its keys",
    tag: 'quotas',
    auth: 'required',
    params: IdParams,
    status: 200,
    response: ClusterQuotas,
  }),
  updateClusterQuotas: endpoint({
    operationId: 'updateClusterQuotas',
    method: 'PATCH',
    path: '/v1/clusters/:id/quotas',
    summary: "Set a cluster's quotas at or below its plan's ceiling, and the default byte rates of its keys (brokers apply them within a second)",
    tag: 'quotas',
    auth: 'required',
    params: IdParams,
    body: UpdateClusterQuotasRequest,
    status: 200,
    response: ClusterQuotas,
  }),
  listAuditEvents: endpoint({
    operationId: 'listAuditEvents',
    method: 'GET',
    path: '/v1/audit-events',
    summary: "The organization's audit trail, newest first",
    tag: 'audit',
    auth: 'required',
    query: PageQuery,
    status: 200,
    response: AuditEventPage,
  }),
  listTopics: endpoint({
    operationId: 'listTopics',
    method: 'GET',
    path: '/v1/clusters/:id/topics',
    summary: "List the cluster's topics with their partitions, offsets and sizes (read from the cluster)",
    tag: 'topics',
    auth: 'required',
    params: ClusterTopicsParams,
    query: PageQuery,
    status: 200,
    response: TopicPage,
  }),
  createTopic: endpoint({
    operationId: 'createTopic',
    method: 'POST',
    path: '/v1/clusters/:id/topics',
    summary: 'Create a topic on the cluster',
    tag: 'topics',
    auth: 'required',
    params: ClusterTopicsParams,
    body: CreateTopicRequest,
    status: 201,
    response: Topic,
  }),
  getTopic: endpoint({
    operationId: 'getTopic',
    method: 'GET',
    path: '/v1/clusters/:id/topics/:name',
    summary: 'Get a topic: partitions, offsets, sizes and configs',
    tag: 'topics',
    auth: 'required',
    params: TopicParams,
    status: 200,
    response: Topic,
  }),
  updateTopic: endpoint({
    operationId: 'updateTopic',
    method: 'PATCH',
    path: '/v1/clusters/:id/topics/:name',
    summary: 'Add partitions to a topic or change its configs',
    tag: 'topics',
    auth: 'required',
    params: TopicParams,
    body: UpdateTopicRequest,
    status: 200,
    response: Topic,
  }),
  deleteTopic: endpoint({
    operationId: 'deleteTopic',
    method: 'DELETE',
    path: '/v1/clusters/:id/topics/:name',
    summary: 'Delete a topic and its data',
    tag: 'topics',
    auth: 'required',
    params: TopicParams,
    status: 204,
  }),
  listTopicMessages: endpoint({
    operationId: 'listTopicMessages',
    method: 'GET',
    path: '/v1/clusters/:id/topics/:name/messages',
    summary: 'The latest records of one partition of a topic (key, value, headers, timestamp), read from the cluster',
    tag: 'topics',
    auth: 'required',
    params: TopicParams,
    query: TopicMessagesQuery,
    status: 200,
    response: TopicMessages,
  }),
  getUsage: endpoint({
    operationId: 'getUsage',
    method: 'GET',
    path: '/v1/usage',
    summary: "The organization's metered usage in hourly or daily buckets, per cluster and dimension, optionally per topic or cluster API key (CSV with Accept: text/csv)",
    tag: 'billing',
    auth: 'required',
    query: UsageQuery,
    status: 200,
    csv: true,
    response: UsageList,
  }),
  listInvoices: endpoint({
    operationId: 'listInvoices',
    method: 'GET',
    path: '/v1/invoices',
    summary: "The organization's invoices, newest first: the running month as a draft, earlier months finalized",
    tag: 'billing',
    auth: 'required',
    status: 200,
    response: InvoiceList,
  }),
  getInvoice: endpoint({
    operationId: 'getInvoice',
    method: 'GET',
    path: '/v1/invoices/:id',
    summary: 'One invoice with its priced lines (CSV of the lines with Accept: text/csv)',
    tag: 'billing',
    auth: 'required',
    params: IdParams,
    status: 200,
    csv: true,
    response: Invoice,
  }),
} as const;

export type Endpoints = typeof endpoints;
export type OperationName = keyof Endpoints;

type Schema<E, K extends string> = E extends { [P in K]: infer S extends z.ZodType } ? S : never;

/** What a caller passes: path params, query and body, each present only when the endpoint has one. */
export type EndpointInput<E extends Endpoint> = (E extends { params: z.ZodType } ? { params: z.input<Schema<E, 'params'>> } : {}) &
  (E extends { query: z.ZodType } ? { query?: z.input<Schema<E, 'query'>> } : {}) &
  (E extends { body: z.ZodType } ? { body: z.input<Schema<E, 'body'>> } : {});

/** What a caller gets back on success (nothing for 204). */
export type EndpointOutput<E extends Endpoint> = E extends { response: z.ZodType } ? z.output<Schema<E, 'response'>> : void;
