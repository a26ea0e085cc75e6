export { startBroker, type RunningBroker } from './broker.ts';
export { loadBrokerConfig, parseBrokerConfig, parseBrokerConfigJson, ConfigError } from './config/broker-config.ts';
export { ControlPlaneSource, type ControlPlaneSourceOptions } from './config/control-plane-source.ts';
export { CredentialStore } from './server/credentials.ts';
