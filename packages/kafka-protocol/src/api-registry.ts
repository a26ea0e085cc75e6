import * as apis from './apis/index.ts';
import type { ApiDefinition } from './schema/define-api.ts';

/** Every API this codec implements, by name. The versions here are the ones a broker should advertise. */
export const Api = {
  ApiVersions: apis.ApiVersionsApi,
  Metadata: apis.MetadataApi,
  Produce: apis.ProduceApi,
  Fetch: apis.FetchApi,
  ListOffsets: apis.ListOffsetsApi,
  CreateTopics: apis.CreateTopicsApi,
  DeleteTopics: apis.DeleteTopicsApi,
  CreatePartitions: apis.CreatePartitionsApi,
  DescribeConfigs: apis.DescribeConfigsApi,
  DescribeLogDirs: apis.DescribeLogDirsApi,
  SaslHandshake: apis.SaslHandshakeApi,
  SaslAuthenticate: apis.SaslAuthenticateApi,
  FindCoordinator: apis.FindCoordinatorApi,
  JoinGroup: apis.JoinGroupApi,
  SyncGroup: apis.SyncGroupApi,
  Heartbeat: apis.HeartbeatApi,
  LeaveGroup: apis.LeaveGroupApi,
  OffsetCommit: apis.OffsetCommitApi,
  OffsetFetch: apis.OffsetFetchApi,
  ListGroups: apis.ListGroupsApi,
  DescribeGroups: apis.DescribeGroupsApi,
  DeleteGroups: apis.DeleteGroupsApi,
  InitProducerId: apis.InitProducerIdApi,
  AlterConfigs: apis.AlterConfigsApi,
  IncrementalAlterConfigs: apis.IncrementalAlterConfigsApi,
  DeleteRecords: apis.DeleteRecordsApi,
  OffsetDelete: apis.OffsetDeleteApi,
  DescribeCluster: apis.DescribeClusterApi,
  ConsumerGroupHeartbeat: apis.ConsumerGroupHeartbeatApi,
  ConsumerGroupDescribe: apis.ConsumerGroupDescribeApi,
} as const;

export type ApiName = keyof typeof Api;

export const apiByKey: ReadonlyMap<number, ApiDefinition> = new Map(
  Object.values(Api).map((api: ApiDefinition) => [api.key, api]),
);
