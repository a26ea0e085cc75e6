/** What a client needs to connect: the cluster's address and a cluster API key (its secret when still known). */
export interface Connection {
  bootstrapServers: string;
  key: string;
  secret: string;
}

/** The CA certificate file the snippets trust, as downloaded from the cluster page. */
export const caFile = 'ca.pem';

/** Ready-to-paste client configurations, SASL_SSL with PLAIN, one per client. */
export function clientConfigs({ bootstrapServers, key, secret }: Connection): { id: string; label: string; text: string }[] {
  return [
    {
      id: 'kcat',
      label: 'kcat',
      text: [
        `kcat -b ${bootstrapServers}`,
        '-X security.protocol=SASL_SSL',
        `-X ssl.ca.location=${caFile}`,
        '-X sasl.mechanisms=PLAIN',
        `-X sasl.username=${key}`,
        `-X sasl.password=${secret}`,
      ].join(' \\\n  '),
    },
    {
      id: 'kafkajs',
      label: 'kafkajs',
      text: `import { readFileSync } from 'node:fs';
import { Kafka } from 'kafkajs';

const kafka = new Kafka({
  brokers: ${JSON.stringify(bootstrapServers.split(','))},
  ssl: { ca: [readFileSync('${caFile}', 'utf8')] },
  sasl: { mechanism: 'plain', username: '${key}', password: '${secret}' },
});`,
    },
    {
      id: 'java',
      label: 'Java properties',
      text: `bootstrap.servers=${bootstrapServers}
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${key}" password="${secret}";
ssl.truststore.type=PEM
ssl.truststore.location=${caFile}`,
    },
    {
      id: 'librdkafka',
      label: 'librdkafka',
      text: `bootstrap.servers=${bootstrapServers}
security.protocol=SASL_SSL
ssl.ca.location=${caFile}
sasl.mechanisms=PLAIN
sasl.username=${key}
sasl.password=${secret}`,
    },
  ];
}
