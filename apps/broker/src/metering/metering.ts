import path from 'node:path';
import type { BrokerConfig } from '@fjord/broker-contract';
import type { Logger } from 'pino';
import type { TopicRegistry } from '../topics/topic-registry.ts';
import { UsageMeter } from './usage-meter.ts';
import { UsageReporter } from './usage-reporter.ts';
import { UsageSampler } from './usage-sampler.ts';
import { UsageSpool } from './usage-spool.ts';

export interface Metering {
  /** What the produce and fetch handlers count into. */
  readonly meter: UsageMeter;
  start(): void;
  /** Spools what was counted since the last sample, then stops sending (the spool is sent on the next start). */
  stop(): Promise<void>;
}

/** Usage metering of a broker that reports to a control plane; none for a broker run alone or with metering off. */
export async function openMetering(config: BrokerConfig, topics: TopicRegistry, logger: Logger): Promise<Metering | undefined> {
  if (!config.controlPlane || !config.metering.enabled) return undefined;
  const log = logger.child({ component: 'metering' });
  const meter = new UsageMeter();
  const spool = await UsageSpool.open(path.join(config.dataDir, 'usage-spool'), log);
  const reporter = new UsageReporter({
    clusterId: config.clusterId,
    nodeId: config.nodeId,
    url: config.controlPlane.url,
    token: config.controlPlane.token,
    spool,
    maxSamplesPerReport: config.metering.maxSamplesPerReport,
    retryMs: config.controlPlane.retryMs,
    logger: log,
  });
  const sampler = new UsageSampler({
    clusterId: config.clusterId,
    meter,
    topics,
    spool,
    intervalMs: config.metering.sampleIntervalMs,
    onSpooled: () => reporter.wake(),
    logger: log,
  });
  return {
    meter,
    start() {
      sampler.start();
      reporter.start();
    },
    async stop() {
      await sampler.stop().catch((err: unknown) => log.error({ err: (err as Error).message }, 'spooling the last usage samples failed'));
      await reporter.stop();
    },
  };
}
