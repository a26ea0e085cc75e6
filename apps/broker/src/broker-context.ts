import type { Logger } from 'pino';
import type { BrokerConfig } from './config/broker-config.ts';
import type { CredentialStore } from './server/credentials.ts';
import type { TopicRegistry } from './topics/topic-registry.ts';

/** What every request handler may use: the broker's identity, its topics and its credentials. */
export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly topics: TopicRegistry;
  readonly credentials: CredentialStore;
  readonly logger: Logger;
  /** The address clients are told to connect to (known once the listener is bound). */
  advertised(): { host: string; port: number };
}
