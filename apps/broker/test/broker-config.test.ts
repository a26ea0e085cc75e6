import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Api } from '@fjord/kafka-protocol';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker } from '../../../test/helpers/broker.ts';
import { BROKER_CONFIG_ENV as CONFIG_ENV, BROKER_SECRETS_ENV, makeCredential } from '@fjord/broker-contract';
import { defaultBrokerCommand } from '@fjord/orchestrator';
import { ConfigError, parseBrokerConfig, parseBrokerConfigJson } from '../src/config/broker-config.ts';

const [NODE, ...MAIN] = defaultBrokerCommand();
const minimal = { clusterId: 'c_1', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir: '/tmp/x', auth: 'none' };

describe('broker config', () => {
  it('fills in the documented defaults', () => {
    const config = parseBrokerConfig(minimal);
    expect(config.log).toMatchObject({ segmentBytes: 134_217_728, retentionMs: 604_800_000, retentionBytes: -1, flush: 'every-write' });
    expect(config.limits).toMatchObject({ maxPartitions: 1000, maxMessageBytes: 1_048_576 });
    expect(config.credentials).toEqual([]);
    expect(config.autoCreateTopics).toBe(false);
  });

  it('keeps given values and validates credentials', () => {
    const config = parseBrokerConfig({ ...minimal, auth: 'sasl_plain', credentials: [makeCredential('FJ1', 'x')], log: { flush: 'interval' } });
    expect(config.log.flush).toBe('interval');
    expect(config.log.segmentBytes).toBe(134_217_728);
    expect(() => parseBrokerConfig({ ...minimal, credentials: [{ key: 'FJ1', secretHash: 'plaintext' }] })).toThrow(ConfigError);
  });

  it(`takes the broker token and TLS key from ${BROKER_SECRETS_ENV} when the config leaves them out (ECS injects them as a secret)`, () => {
    const certPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const keyPem = '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n';
    const text = JSON.stringify({ ...minimal, controlPlane: { url: 'http://control-plane.fjord.internal:8080' }, tls: { certPem } });
    const config = parseBrokerConfigJson(text, 'config', { [BROKER_SECRETS_ENV]: JSON.stringify({ token: 'fjb_token', tlsKeyPem: keyPem }) });
    expect(config.controlPlane).toMatchObject({ url: 'http://control-plane.fjord.internal:8080', token: 'fjb_token' });
    expect(config.tls).toEqual({ certPem, keyPem });
    expect(() => parseBrokerConfigJson(text, 'config', {})).toThrow(/token/);
    expect(() => parseBrokerConfigJson(text, 'config', { [BROKER_SECRETS_ENV]: '{"token":' })).toThrow(new RegExp(`${BROKER_SECRETS_ENV} is not JSON`));
    expect(() => parseBrokerConfigJson(text, 'config', { [BROKER_SECRETS_ENV]: '{"tokn":"x"}' })).toThrow(ConfigError);
  });

  it.each([
    ['a relative dataDir', { ...minimal, dataDir: 'data' }],
    ['an unknown auth mode', { ...minimal, auth: 'scram' }],
    ['a port out of range', { ...minimal, listen: { host: '127.0.0.1', port: 70000 } }],
    ['an unknown field', { ...minimal, colour: 'blue' }],
    ['a bad control plane url', { ...minimal, controlPlane: { url: 'not a url', token: 't' } }],
  ])('refuses %s', (_name, input) => {
    expect(() => parseBrokerConfig(input)).toThrow(ConfigError);
  });

  it('makes the process exit 1 with a message on a bad config file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fjord-config-'));
    try {
      const file = path.join(dir, 'broker.json');
      await writeFile(file, JSON.stringify({ ...minimal, nodeId: -1 }));
      const run = spawnSync(NODE, [...MAIN, '--config', file], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('nodeId');
      const env = { ...process.env };
      delete env[CONFIG_ENV];
      const missing = spawnSync(NODE, MAIN, { encoding: 'utf8', env });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('--config');

      // A config that parses but cannot be served (the data dir is a file) fails with a logged reason.
      await writeFile(file, JSON.stringify({ ...minimal, dataDir: file }));
      const unusable = spawnSync(NODE, [...MAIN, '--config', file], { encoding: 'utf8' });
      expect(unusable.status).toBe(1);
      expect(unusable.stdout).toContain('broker failed to start');

      const badEnv = spawnSync(NODE, MAIN, { encoding: 'utf8', env: { ...env, [CONFIG_ENV]: '{"clusterId":' } });
      expect(badEnv.status).toBe(1);
      expect(badEnv.stderr).toContain(`${CONFIG_ENV} is not JSON`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it(`starts from the JSON in ${CONFIG_ENV} when no config file is given`, async () => {
    const broker = await startBroker({ configVia: 'env', clusterId: 'c_from_env' });
    try {
      const client = await RawKafkaClient.connect(broker.port);
      const cluster = await client.request(Api.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
      expect(cluster).toMatchObject({ errorCode: 0, clusterId: 'c_from_env', controllerId: 0, brokers: [{ brokerId: 0, host: '127.0.0.1', port: broker.port }] });
      client.close();
    } finally {
      await broker.stop();
    }
  });
});
