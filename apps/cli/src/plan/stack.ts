import { ClusterName, CreateClusterApiKeyRequest, CreateClusterRequest, CreateTopicRequest, PlanName, TopicConfigs, TopicName } from '@fjord/api';
import { z } from 'zod';

/**
 * The YAML stack `fjord plan|apply|destroy` reads, composed from the API's own field schemas, so a
 * value the API would refuse is refused here, with its line and column, before anything is sent.
 */
export const StackTopic = z
  .object({
    name: TopicName,
    partitions: CreateTopicRequest.shape.partitions,
    config: TopicConfigs.default({}),
  })
  .strict();
export type StackTopic = z.output<typeof StackTopic>;

/** A cluster API key, matched by its description (the API's only name for a key). */
export const StackApiKey = z.object({ name: CreateClusterApiKeyRequest.shape.description }).strict();
export type StackApiKey = z.output<typeof StackApiKey>;

function uniqueNames(what: string) {
  return (items: { name: string }[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `${what} ${item.name} is declared twice` });
      seen.add(item.name);
    });
  };
}

export const StackCluster = z
  .object({
    name: ClusterName,
    plan: PlanName,
    region: CreateClusterRequest.shape.region,
    topics: z.array(StackTopic).superRefine(uniqueNames('topic')).default([]),
    apiKeys: z.array(StackApiKey).superRefine(uniqueNames('api key')).default([]),
  })
  .strict();
export type StackCluster = z.output<typeof StackCluster>;

export const Stack = z
  .object({ clusters: z.array(StackCluster).superRefine(uniqueNames('cluster')) })
  .strict();
export type Stack = z.output<typeof Stack>;
