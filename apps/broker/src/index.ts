export { startBroker, type RunningBroker } from './broker.ts';
export { brokerConfigSchema, loadBrokerConfig, parseBrokerConfig, ConfigError, type BrokerConfig } from './config/broker-config.ts';
export { clusterConfigSchema, type ClusterConfig } from './config/cluster-config.ts';
export { hashSecret, makeCredential, CredentialStore, type Credential } from './server/credentials.ts';
