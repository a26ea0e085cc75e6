import { Api } from '@fjord/kafka-protocol';
import { RawKafkaClient } from './raw-kafka-client.ts';

export interface SaslLogin {
  ok: boolean;
  /** Still open after a successful login; closed by the broker after a refused one. */
  client: RawKafkaClient;
}

/** One bare SASL/PLAIN login (SaslHandshake v1, SaslAuthenticate v1), as a client's first connection makes it; over TLS given the CA. */
export async function saslLogin(bootstrap: string, username: string, password: string, tls?: { caPem: string }): Promise<SaslLogin> {
  const [host, port] = bootstrap.split(':');
  const client = await RawKafkaClient.connect(Number(port), host, tls);
  try {
    await client.request(Api.SaslHandshake, 1, { mechanism: 'PLAIN' });
    const auth = await client.request(Api.SaslAuthenticate, 1, { authBytes: Buffer.from(`\0${username}\0${password}`) });
    return { ok: auth.errorCode === 0, client };
  } catch {
    return { ok: false, client };
  }
}
