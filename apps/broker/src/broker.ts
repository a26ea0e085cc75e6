import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { BrokerContext } from './broker-context.ts';
import type { BrokerConfig } from '@fjord/broker-contract';
import { advertisedAddress } from './config/broker-config.ts';
import { ControlPlaneSource } from './config/control-plane-source.ts';
import { FetchSessionCache } from './fetch-sessions/fetch-session-cache.ts';
import { ConsumerGroupCoordinator } from './groups/consumer-group-coordinator.ts';
import { ConsumerGroupStore } from './groups/consumer-group-store.ts';
import { GroupCoordinator } from './groups/group-coordinator.ts';
import { OffsetStore } from './groups/offset-store.ts';
import { createHandlers } from './handlers/index.ts';
import { ProducerIdAllocator } from './producers/producer-ids.ts';
import { ByteRateQuotas } from './quotas/byte-rate-quotas.ts';
import { ClusterPolicy } from './quotas/cluster-policy.ts';
import { HotStorage } from './quotas/hot-storage.ts';
import { ConnectionGate } from './server/connection-gate.ts';
import { CredentialStore } from './server/credentials.ts';
import { KafkaServer } from './server/kafka-server.ts';
import { LoginBackoff } from './server/login-backoff.ts';
import { TieringAgent } from './tiering/tiering-agent.ts';
import { StatusReporter } from './status/status-reporter.ts';
import { TopicRegistry } from './topics/topic-registry.ts';
import { openMetering } from './metering/metering.ts';

/** How often hot storage is summed again from the logs' sizes (appends count in between). */
const STORAGE_RESCAN_MS = 1_000;

export interface RunningBroker {
  readonly port: number;
  readonly topics: TopicRegistry;
  close(): Promise<void>;
}

/** The composition root: config source, topics, handlers and listener, started in that order and closed in reverse. */
export async function startBroker(config: BrokerConfig, logger: Logger): Promise<RunningBroker> {
  await mkdir(config.dataDir, { recursive: true });
  const credentials = new CredentialStore(config.credentials);
  const gate = new ConnectionGate(config.limits, logger);
  const quotas = new ByteRateQuotas({ samples: config.limits.quotaWindowSamples, sampleMs: config.limits.quotaSampleMs });
  const policy = new ClusterPolicy(config.autoCreateTopics);
  let topics: TopicRegistry | undefined;
  let server: KafkaServer | undefined;
  let controlPlane: ControlPlaneSource | undefined;
  if (config.controlPlane) {
    controlPlane = new ControlPlaneSource({
      ...config.controlPlane,
      clusterId: config.clusterId,
      cachePath: path.join(config.dataDir, 'control-plane-config.json'),
      logger: logger.child({ component: 'control-plane' }),
      onConfig: (cluster) => {
        gate.maxConnections = cluster.quotas.maxConnections;
        quotas.update(cluster.quotas, cluster.clientQuotas);
        policy.apply(cluster);
        if (topics) topics.maxPartitions = cluster.quotas.maxPartitions;
        const revoked = credentials.replace(cluster.credentials);
        // A deleted key loses its open connections too, not only new ones (as Confluent does).
        if (revoked.length > 0) server?.closeConnectionsOf(new Set(revoked));
      },
    });
    await controlPlane.start();
  }
  const tiering = await TieringAgent.open(config.tiering, controlPlane?.current?.tiering, config.dataDir, logger.child({ component: 'tiering' }));
  const registry = await TopicRegistry.open({
    dataDir: config.dataDir,
    defaults: { log: config.log, maxMessageBytes: config.limits.maxMessageBytes, tiering: tiering?.topicDefaults },
    maxPartitions: controlPlane?.current?.quotas.maxPartitions ?? config.limits.maxPartitions,
    overridesProblem: (overrides) => policy.topicOverridesProblem(overrides),
    logger: logger.child({ component: 'topics' }),
    tiering: tiering ?? undefined,
  });
  tiering?.start(registry);
  topics = registry;
  const storage = new HotStorage(registry);

  const metering = await openMetering(config, registry, logger);
  const offsets = await OffsetStore.open(config.dataDir, logger.child({ component: 'offsets' }));
  const groups = new GroupCoordinator(logger.child({ component: 'groups' }));
  const consumerGroups = await ConsumerGroupCoordinator.open({
    topics: registry,
    classic: groups,
    sessionTimeoutMs: config.groups.consumerSessionTimeoutMs,
    heartbeatIntervalMs: config.groups.consumerHeartbeatIntervalMs,
    logger: logger.child({ component: 'consumer-groups' }),
    store: new ConsumerGroupStore(config.dataDir, logger.child({ component: 'consumer-groups' })),
  });
  const producerIds = await ProducerIdAllocator.open(config.dataDir);

  let boundPort = config.listen.port;
  const context: BrokerContext = {
    config,
    topics: registry,
    sasl: {
      store: credentials,
      checkSecrets: config.auth === 'sasl_plain',
      refresh: controlPlane && (() => controlPlane.refresh()),
      backoff: new LoginBackoff(config.limits),
    },
    groups,
    consumerGroups,
    offsets,
    fetchSessions: new FetchSessionCache(),
    producerIds,
    sequences: new WeakMap(),
    quotas,
    policy,
    storage,
    logger,
    usage: metering?.meter,
    advertised: () => advertisedAddress(config, boundPort),
  };
  const listener = new KafkaServer(context, createHandlers(), gate);
  server = listener;
  try {
    boundPort = await listener.listen(config.listen.host, config.listen.port);
  } catch (err) {
    await controlPlane?.stop();
    await tiering?.close();
    await offsets.close();
    await registry.close();
    throw err;
  }

  metering?.start();
  const retention = setInterval(() => void registry.applyRetention(), config.log.retentionCheckIntervalMs);
  retention.unref();
  // One cleaner pass at a time: a slow pass skips the ticks that come due while it runs.
  let cleaning: Promise<void> | undefined;
  const cleaner = setInterval(() => {
    cleaning ??= registry.compactLogs().finally(() => {
      cleaning = undefined;
    });
  }, config.log.cleanerIntervalMs);
  cleaner.unref();
  const storageScan = setInterval(() => storage.rescan(), STORAGE_RESCAN_MS);
  storageScan.unref();
  let status: StatusReporter | undefined;
  if (config.controlPlane) {
    status = new StatusReporter({
      ...config.controlPlane,
      intervalMs: config.controlPlane.statusIntervalMs,
      clusterId: config.clusterId,
      logger: logger.child({ component: 'status' }),
      read: () => {
        const now = Date.now();
        return {
          clusterId: config.clusterId,
          nodeId: config.nodeId,
          at: new Date(now).toISOString(),
          partitions: registry.partitionCount,
          hotStoredBytes: String(storage.bytes),
          connections: listener.connectionCount,
          ingressBytesPerSecond: quotas.ingress.clusterRate(now),
          egressBytesPerSecond: quotas.egress.clusterRate(now),
        };
      },
    });
    status.start();
  }

  let closing: Promise<void> | undefined;
  return {
    port: boundPort,
    topics: registry,
    close: () =>
      (closing ??= (async () => {
        clearInterval(retention);
        clearInterval(cleaner);
        clearInterval(storageScan);
        await status?.stop();
        await cleaning;
        await controlPlane?.stop();
        groups.close();
        await listener.close();
        await consumerGroups.close();
        await tiering?.close();
        await metering?.stop();
        await offsets.close();
        await registry.close();
      })()),
  };
}
