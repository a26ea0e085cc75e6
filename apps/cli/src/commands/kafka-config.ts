import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findCluster, type Context } from '../context.ts';
import { readSecrets } from '../secrets-file.ts';
import { findClusterApiKey } from './api-keys.ts';

import type { KafkaConfigFormat as Format } from './kafka-config-formats.ts';

interface Connection {
  clusterName: string;
  bootstrapServers: string;
  username: string;
  password: string;
  ca: string;
  caFile: string;
}

const renderers: Record<Format, (c: Connection) => string> = {
  // kcat -F <file>, or any librdkafka client's properties.
  librdkafka: (c) =>
    [
      `# Fjord cluster ${c.clusterName}: librdkafka properties (kcat -F <this file>)`,
      `bootstrap.servers=${c.bootstrapServers}`,
      'security.protocol=SASL_SSL',
      'sasl.mechanisms=PLAIN',
      `sasl.username=${c.username}`,
      `sasl.password=${c.password}`,
      `ssl.ca.location=${c.caFile}`,
    ].join('\n'),
  // new Kafka({ clientId, ...config }): the CA is inline, no file to ship.
  kafkajs: (c) =>
    JSON.stringify(
      { brokers: c.bootstrapServers.split(','), ssl: { ca: [c.ca] }, sasl: { mechanism: 'plain', username: c.username, password: c.password } },
      null,
      2,
    ),
  java: (c) =>
    [
      `# Fjord cluster ${c.clusterName}: Kafka Java client properties`,
      `bootstrap.servers=${c.bootstrapServers}`,
      'security.protocol=SASL_SSL',
      'sasl.mechanism=PLAIN',
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${c.username}" password="${c.password}";`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${c.caFile}`,
    ].join('\n'),
};

export async function kafkaConfig(ctx: Context, options: { cluster: string; key: string; format: Format; secret?: string; secretsFile?: string; caFile: string }) {
  const api = ctx.api();
  const cluster = await findCluster(api, options.cluster);
  const key = await findClusterApiKey(api, cluster.id, options.key);
  let secret = options.secret ?? process.env.FJORD_KAFKA_SECRET;
  if (!secret && options.secretsFile) secret = (await readSecrets(options.secretsFile)).find((s) => s.id === key.id)?.secret;
  if (!secret) {
    secret = `<the secret of ${key.key}, shown once when it was created>`;
    ctx.io.notify('FJ_CLI_W1001', `no secret for ${key.key}: pass --secret, FJORD_KAFKA_SECRET or --secrets-file, or fill in sasl.password yourself`);
  }
  const ca = await api.clusters.caPem(cluster.id);
  const caFile = path.resolve(options.caFile);
  if (options.format !== 'kafkajs') {
    await writeFile(caFile, ca);
    ctx.io.notify('FJ_CLI_I1003', `the CA certificate of ${cluster.name} was written to ${caFile}`);
  }
  const connection: Connection = { clusterName: cluster.name, bootstrapServers: cluster.bootstrapServers, username: key.key, password: secret, ca, caFile };
  const text = renderers[options.format](connection);
  // The config is the result in either output mode: it is meant to be redirected to a file.
  ctx.io.result(ctx.io.format === 'json' && options.format === 'kafkajs' ? JSON.parse(text) : { format: options.format, config: text }, () => text);
}
