export { BROKER_CONFIG_ENV, BROKER_LOG_LEVEL_ENV, BROKER_PROCESS_ENV, BROKER_SECRETS_ENV, brokerProcessEnv } from './env.ts';
export { brokerSecretsSchema, separateBrokerSecrets, withBrokerSecrets, type BrokerSecrets } from './broker-secrets.ts';
export {
  credentialSchema,
  hashSecret,
  isSecretHash,
  makeCredential,
  parseSecretHash,
  verifySecret,
  type Credential,
  type ParsedSecretHash,
} from './credentials.ts';
export {
  brokerConfigSchema,
  type BrokerConfig,
  type BrokerConfigInput,
  type BrokerObjectStore,
  type BrokerSettings,
  type BrokerTiering,
  type BrokerTls,
  type LogDefaults,
} from './broker-config.ts';
export {
  clientQuotaSchema,
  clientQuotasSchema,
  clusterConfigSchema,
  clusterQuotasSchema,
  clusterSettingsSchema,
  tieringPolicySchema,
  type ClientQuota,
  type ClientQuotas,
  type ClusterConfig,
  type ClusterQuotas,
  type ClusterSettings,
  type TieringPolicy,
} from './cluster-config.ts';
export { brokerStatusSchema, type BrokerStatus } from './broker-status.ts';
export {
  usageMetricSchema,
  usageReportAckSchema,
  usageReportSchema,
  usageSampleSchema,
  type UsageMetric,
  type UsageReport,
  type UsageReportAck,
  type UsageSample,
} from './usage-report.ts';
export { clusterConfigQuerySchema, internalPaths, MAX_CONFIG_WAIT_MS, type ClusterConfigQuery } from './internal-api.ts';
