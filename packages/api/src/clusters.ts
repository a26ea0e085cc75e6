import { z } from 'zod';
import { Id, Timestamp } from './common.ts';
import { page } from './pagination.ts';
import { PlanName } from './plans.ts';

export const ClusterStatus = z.enum(['PROVISIONING', 'RUNNING', 'DELETING', 'DELETED', 'FAILED']).meta({ id: 'ClusterStatus' });
export type ClusterStatus = z.infer<typeof ClusterStatus>;

/** Where each status can still lead: a cluster never goes back, and only a provisioning one can fail. */
const laterStatuses: Record<ClusterStatus, readonly ClusterStatus[]> = {
  PROVISIONING: ['RUNNING', 'FAILED', 'DELETING', 'DELETED'],
  RUNNING: ['DELETING', 'DELETED'],
  FAILED: ['DELETING', 'DELETED'],
  DELETING: ['DELETED'],
  DELETED: [],
};

/** Whether a cluster in `from` may yet reach `to` (a wait for an unreachable status is over). */
export function canBecome(from: ClusterStatus, to: ClusterStatus): boolean {
  return laterStatuses[from].includes(to);
}

/** The longest a single `GET /v1/clusters/:id?waitFor=` may hold the request. */
export const maxClusterWaitMs = 30_000;

export const GetClusterQuery = z
  .object({
    waitFor: ClusterStatus.optional().describe(
      'Long poll: answer once the cluster has this status or can no longer reach it (a FAILED cluster for RUNNING), ' +
        'else with its current state when timeoutMs has passed; check `status`. For DELETED the answer is 404 once the cluster is gone.',
    ),
    timeoutMs: z.coerce
      .number()
      .int()
      .min(0)
      .max(maxClusterWaitMs)
      .default(10_000)
      .describe('How long waitFor may hold the request, in ms (ignored without waitFor)'),
  })
  .strict();
export type GetClusterQuery = z.input<typeof GetClusterQuery>;

export const ClusterName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Letters, digits, ".", "_" and "-", starting with a letter or digit');

export const Region = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'A region name such as local or eu-west-1')
  .max(32);

export const CreateClusterRequest = z
  .object({ name: ClusterName, plan: PlanName, region: Region.default('local') })
  .strict()
  .meta({ id: 'CreateClusterRequest' });
export type CreateClusterRequest = z.input<typeof CreateClusterRequest>;

/** Settings an owner or admin chooses for a cluster. */
export const ClusterSettings = z
  .object({
    autoCreateTopics: z
      .boolean()
      .describe("Whether a producer or consumer naming an unknown topic creates it (Kafka's auto.create.topics.enable); off by default, as on Confluent Cloud"),
  })
  .meta({ id: 'ClusterSettings' });
export type ClusterSettings = z.infer<typeof ClusterSettings>;

export const UpdateClusterRequest = z
  .object({ settings: ClusterSettings.partial().strict() })
  .strict()
  .meta({ id: 'UpdateClusterRequest' });
export type UpdateClusterRequest = z.input<typeof UpdateClusterRequest>;

export const Cluster = z
  .object({
    id: Id,
    name: z.string(),
    plan: PlanName,
    region: z.string(),
    status: ClusterStatus,
    bootstrapServers: z.string().describe('host:port[,host:port] for Kafka clients: SASL_SSL (TLS trusting GET /v1/clusters/{id}/ca.pem), PLAIN with a cluster API key'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    failureReason: z.string().optional().describe('Why the cluster is FAILED'),
    settings: ClusterSettings,
  })
  .meta({ id: 'Cluster' });
export type Cluster = z.infer<typeof Cluster>;

export const ClusterPage = page(Cluster).meta({ id: 'ClusterPage' });

export const ClusterEvent = z
  .object({
    id: Id,
    type: z.string().describe('What happened, e.g. cluster.requested, broker.started, cluster.running, broker.restarted, cluster.failed'),
    status: ClusterStatus.describe('The cluster status after the event'),
    message: z.string(),
    createdAt: Timestamp,
  })
  .meta({ id: 'ClusterEvent' });
export type ClusterEvent = z.infer<typeof ClusterEvent>;

export const ClusterEventPage = page(ClusterEvent).meta({ id: 'ClusterEventPage' });
