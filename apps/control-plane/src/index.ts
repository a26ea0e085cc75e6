export { buildApp, type AppDeps } from './app.ts';
export { ClusterSecrets } from './cluster-secrets.ts';
export { loadConfig, ConfigError, type ControlPlaneConfig } from './config.ts';
export type { AuthContext, Actor } from './auth-context.ts';
export type { Services } from './composition.ts';
export { CertificateAuthority, type IssuedCertificate, type KeyPairPem } from './tls/certificate-authority.ts';
