import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  brokerConfigSchema,
  brokerSecretsSchema,
  clusterConfigQuerySchema,
  brokerStatusSchema,
  clusterConfigSchema,
  hashSecret,
  internalPaths,
  makeCredential,
  parseSecretHash,
  separateBrokerSecrets,
  usageReportSchema,
  verifySecret,
  withBrokerSecrets,
} from '../src/index.ts';

const minimal = { clusterId: 'c_1', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir: '/tmp/x', auth: 'none' };
const quotas = { ingressBytesPerSecond: 1, egressBytesPerSecond: 1, maxPartitions: 1, storageBytes: 1, maxRetentionMs: -1, maxMessageBytes: 1, maxConnections: 1 };
const tiering = { enabled: false, localRetentionMs: -1, prefix: 'clusters/c_1/' };

describe('credential hashes', () => {
  it('are sha256$<salt>$<digest> with a fresh salt each time, or a given one', () => {
    const a = hashSecret('s3cret');
    expect(a).toMatch(/^sha256\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{44}$/);
    expect(hashSecret('s3cret')).not.toBe(a);
    const salt = Buffer.alloc(16, 7);
    expect(hashSecret('s3cret', salt)).toBe(hashSecret('s3cret', salt));
  });

  it('verify the right secret only, and nothing against a missing or malformed hash', () => {
    const hash = parseSecretHash(makeCredential('FJ1', 'right').secretHash);
    expect(verifySecret(hash, 'right')).toBe(true);
    expect(verifySecret(hash, 'wrong')).toBe(false);
    expect(verifySecret(undefined, 'right')).toBe(false);
    for (const bad of ['plaintext', 'md5$abc$def', 'sha256$$', `sha256$c2FsdA==$${Buffer.alloc(31).toString('base64')}`]) {
      expect(parseSecretHash(bad)).toBeUndefined();
    }
  });
});

describe('broker process config', () => {
  it('fills in the defaults, and refuses unknown fields (a misspelt field must stop the broker)', () => {
    const config = brokerConfigSchema.parse({ ...minimal, controlPlane: { url: 'http://127.0.0.1:8080', token: 't' } });
    expect(config.controlPlane).toEqual({ url: 'http://127.0.0.1:8080', token: 't', waitMs: 20_000, retryMs: 1_000, refreshIntervalMs: 250, statusIntervalMs: 5_000 });
    expect(config.credentials).toEqual([]);
    expect(brokerConfigSchema.safeParse({ ...minimal, colour: 'blue' }).success).toBe(false);
    expect(brokerConfigSchema.safeParse({ ...minimal, dataDir: 'relative' }).success).toBe(false);
    expect(brokerConfigSchema.safeParse({ ...minimal, credentials: [{ key: 'FJ1', secretHash: 'plaintext' }] }).success).toBe(false);
  });

  it('takes a TLS certificate and key as PEM, and is plaintext only without them', () => {
    const tls = { certPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', keyPem: '-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n' };
    expect(brokerConfigSchema.parse({ ...minimal, tls }).tls).toEqual(tls);
    expect(brokerConfigSchema.parse(minimal).tls).toBeUndefined();
    expect(brokerConfigSchema.safeParse({ ...minimal, tls: { certPem: tls.certPem } }).success).toBe(false);
    expect(brokerConfigSchema.safeParse({ ...minimal, tls: { ...tls, keyPem: 'not a key' } }).success).toBe(false);
    expect(brokerConfigSchema.safeParse({ ...minimal, tls: { ...tls, passphrase: 'x' } }).success).toBe(false);
  });
});

describe('cluster config', () => {
  it('drops fields it does not know, so a newer control plane does not break an older broker', () => {
    const parsed = clusterConfigSchema.parse({ clusterId: 'c_1', version: 3, credentials: [], quotas, tiering, acls: [{ principal: 'FJ1' }] });
    expect(parsed).toEqual({ clusterId: 'c_1', version: 3, credentials: [], quotas, tiering, clientQuotas: { keys: {} }, settings: { autoCreateTopics: false } });
  });

  it('carries per-key quotas and the cluster settings', () => {
    const clientQuotas = { default: { ingressBytesPerSecond: 1024 }, keys: { FJK1: { egressBytesPerSecond: 2048 } } };
    const parsed = clusterConfigSchema.parse({ clusterId: 'c_1', version: 3, credentials: [], quotas, tiering, clientQuotas, settings: { autoCreateTopics: true } });
    expect(parsed.clientQuotas).toEqual(clientQuotas);
    expect(parsed.settings.autoCreateTopics).toBe(true);
    expect(clusterConfigSchema.safeParse({ clusterId: 'c_1', version: 1, credentials: [], quotas, tiering, clientQuotas: { keys: { FJK1: { ingressBytesPerSecond: 0 } } } }).success).toBe(false);
  });

  it('reports current use as a gauge with byte counts as decimal strings', () => {
    const status = { clusterId: 'c_1', nodeId: 0, at: new Date().toISOString(), partitions: 3, hotStoredBytes: '12345678901234567', connections: 2, ingressBytesPerSecond: 1.5, egressBytesPerSecond: 0 };
    expect(brokerStatusSchema.parse(status)).toEqual(status);
    expect(brokerStatusSchema.safeParse({ ...status, hotStoredBytes: 12 }).success).toBe(false);
    expect(internalPaths.clusterStatus('a/b')).toBe('/internal/clusters/a%2Fb/status');
  });

  it('requires typed quotas and a tiering policy', () => {
    expect(clusterConfigSchema.safeParse({ clusterId: 'c_1', version: 1, credentials: [], quotas: {}, tiering }).success).toBe(false);
    expect(clusterConfigSchema.safeParse({ clusterId: 'c_1', version: 1, credentials: [], quotas, tiering: {} }).success).toBe(false);
  });

  it('is asked for at one path, with a bounded long poll', () => {
    expect(internalPaths.clusterConfig('a/b')).toBe('/internal/clusters/a%2Fb/config');
    expect(clusterConfigQuerySchema.parse({ after: '4', waitMs: '20000' })).toEqual({ after: 4, waitMs: 20_000 });
    expect(clusterConfigQuerySchema.parse({})).toEqual({ waitMs: 0 });
    expect(clusterConfigQuerySchema.safeParse({ after: '4', waitMs: '600000' }).success).toBe(false);
    expect(clusterConfigQuerySchema.safeParse({ after: '-1' }).success).toBe(false);
  });
});

describe('usage reports', () => {
  const sample = { id: randomUUID(), clusterId: 'c_1', metric: 'ingress_bytes', quantity: '18446744073709551615', start: '2026-12-01T10:00:00Z', end: '2026-12-01T10:00:05Z' };

  it('carry quantities beyond 2^53 as decimal strings, with an idempotency id per sample', () => {
    expect(usageReportSchema.parse({ clusterId: 'c_1', nodeId: 0, samples: [{ ...sample, topic: 'orders', principal: 'FJ1' }] }).samples[0].quantity).toBe('18446744073709551615');
    for (const bad of [{ quantity: '-1' }, { quantity: '1.5' }, { quantity: 5 }, { id: 'not-a-uuid' }, { metric: 'fun' }]) {
      expect(usageReportSchema.safeParse({ clusterId: 'c_1', nodeId: 0, samples: [{ ...sample, ...bad }] }).success).toBe(false);
    }
  });
});

describe("the broker's secrets apart from the config", () => {
  const processConfig = { ...minimal, auth: 'none' as const };
  const tls = { certPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n', keyPem: '-----BEGIN PRIVATE KEY-----\ny\n-----END PRIVATE KEY-----\n' };

  it('come out of the config whole and go back in to the same config', () => {
    const config = { ...processConfig, controlPlane: { url: 'http://cp:8080', token: 'fjb_secret', waitMs: 5_000 }, tls };
    const { config: shown, secrets } = separateBrokerSecrets(config);
    expect(secrets).toEqual({ token: 'fjb_secret', tlsKeyPem: tls.keyPem });
    expect(JSON.stringify(shown)).not.toContain('fjb_secret');
    expect(JSON.stringify(shown)).not.toContain('PRIVATE KEY');
    expect(brokerConfigSchema.safeParse(shown).success).toBe(false);
    const back = withBrokerSecrets(JSON.parse(JSON.stringify(shown)), brokerSecretsSchema.parse(JSON.parse(JSON.stringify(secrets))));
    expect(brokerConfigSchema.parse(back)).toEqual(brokerConfigSchema.parse(config));
  });

  it('leave a config without secrets, or with none to add, as it is', () => {
    expect(separateBrokerSecrets(processConfig)).toEqual({ config: processConfig });
    expect(withBrokerSecrets(minimal, { token: 'fjb_secret' })).toEqual(minimal);
    const config = { ...minimal, controlPlane: { url: 'http://cp:8080', token: 'kept' } };
    expect(withBrokerSecrets(config, undefined)).toBe(config);
    expect(brokerSecretsSchema.safeParse({ token: 'x', password: 'y' }).success).toBe(false);
  });
});
