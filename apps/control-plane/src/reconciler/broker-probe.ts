import { KafkaConnection, type SaslPlain } from '../kafka/index.ts';

/**
 * A broker is serving when it completes a TLS handshake with a certificate from our authority,
 * answers Kafka ApiVersions and accepts the control plane's own SASL credential, which it can only
 * know after fetching its cluster config from us.
 */
export async function probeBroker(host: string, port: number, sasl: SaslPlain, caPem: string): Promise<void> {
  const connection = await KafkaConnection.open({ host, port, sasl, tls: { caPem }, connectTimeoutMs: 2_000, requestTimeoutMs: 5_000 });
  connection.close();
}
