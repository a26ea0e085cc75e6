import type { BrokerConfig } from '@fjord/broker-contract';
import type { PartitionLog } from '@fjord/log';
import type { Logger } from 'pino';
import type { FetchSessionCache } from './fetch-sessions/fetch-session-cache.ts';
import type { UsageMeter } from './metering/usage-meter.ts';
import type { ConsumerGroupCoordinator } from './groups/consumer-group-coordinator.ts';
import type { GroupCoordinator } from './groups/group-coordinator.ts';
import type { OffsetStore } from './groups/offset-store.ts';
import type { ProducerIdAllocator } from './producers/producer-ids.ts';
import type { ByteRateQuotas } from './quotas/byte-rate-quotas.ts';
import type { ClusterPolicy } from './quotas/cluster-policy.ts';
import type { HotStorage } from './quotas/hot-storage.ts';
import type { SequenceTracker } from './producers/sequence-tracker.ts';
import type { SaslCredentials } from './server/sasl.ts';
import type { TopicRegistry } from './topics/topic-registry.ts';

/** What every request handler may use: the broker's identity, topics, consumer groups and credentials. */
export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly topics: TopicRegistry;
  readonly sasl: SaslCredentials;
  /** Classic groups (JoinGroup/SyncGroup). */
  readonly groups: GroupCoordinator;
  /** KIP-848 consumer groups (ConsumerGroupHeartbeat); a group id is one kind or the other. */
  readonly consumerGroups: ConsumerGroupCoordinator;
  readonly offsets: OffsetStore;
  /** Incremental fetch sessions (KIP-227), in memory: a restarted broker's clients start over with full fetches. */
  readonly fetchSessions: FetchSessionCache;
  readonly producerIds: ProducerIdAllocator;
  /** Idempotent-producer state per partition log, rebuilt from the log's tail on first use. */
  readonly sequences: WeakMap<PartitionLog, Promise<SequenceTracker>>;
  /** Produce and fetch byte rates against the cluster's and each key's quotas. */
  readonly quotas: ByteRateQuotas;
  /** Storage, message size, retention and auto-creation limits of the cluster's plan. */
  readonly policy: ClusterPolicy;
  readonly storage: HotStorage;
  readonly logger: Logger;
  /** Counts the bytes clients produce and fetch, when the broker meters usage. */
  readonly usage?: UsageMeter;
  /** The address clients are told to connect to (known once the listener is bound). */
  advertised(): { host: string; port: number };
}
