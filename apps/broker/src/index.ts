export { startBroker, type RunningBroker } from './broker.ts';
export { brokerConfigSchema, CONFIG_ENV, loadBrokerConfig, parseBrokerConfig, parseBrokerConfigJson, ConfigError, type BrokerConfig } from './config/broker-config.ts';
export { clusterConfigSchema, type ClusterConfig } from './config/cluster-config.ts';
export { hashSecret, makeCredential, CredentialStore, type Credential } from './server/credentials.ts';
