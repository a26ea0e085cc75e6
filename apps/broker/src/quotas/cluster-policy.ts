import type { ClusterConfig } from '@fjord/broker-contract';
import { BATCH_LOG_OVERHEAD, BatchOffset } from '@fjord/kafka-protocol';

/**
 * The limits of the cluster's plan that refuse rather than throttle, as the control plane last sent
 * them: hot storage, the largest message and the longest retention a topic may set, and whether
 * topics are created on first use. Without a control plane nothing is limited here beyond the
 * process config.
 */
export class ClusterPolicy {
  storageBytes: number | undefined;
  maxMessageBytes: number | undefined;
  /** -1: unlimited. */
  maxRetentionMs = -1;
  autoCreateTopics: boolean;

  constructor(autoCreateTopics: boolean) {
    this.autoCreateTopics = autoCreateTopics;
  }

  apply({ quotas, settings }: ClusterConfig): void {
    this.storageBytes = quotas.storageBytes;
    this.maxMessageBytes = quotas.maxMessageBytes;
    this.maxRetentionMs = quotas.maxRetentionMs;
    this.autoCreateTopics = settings.autoCreateTopics;
  }

  /** Why a topic may not set these overrides (already checked as valid values), or undefined. */
  topicOverridesProblem(overrides: Record<string, string | null>): string | undefined {
    const maxMessageBytes = overrides['max.message.bytes'];
    if (maxMessageBytes != null && this.maxMessageBytes !== undefined && Number(maxMessageBytes) > this.maxMessageBytes) {
      return `max.message.bytes ${maxMessageBytes} is above this cluster's limit of ${this.maxMessageBytes}`;
    }
    const retentionMs = overrides['retention.ms'];
    if (retentionMs != null && this.maxRetentionMs !== -1 && (Number(retentionMs) === -1 || Number(retentionMs) > this.maxRetentionMs)) {
      return `retention.ms ${retentionMs} is above this cluster's limit of ${this.maxRetentionMs}`;
    }
    return undefined;
  }

  /** Why a produce is refused for lack of hot storage, or undefined. */
  storageProblem(hotBytes: number): string | undefined {
    if (this.storageBytes === undefined || hotBytes < this.storageBytes) return undefined;
    return `this cluster's hot storage limit of ${this.storageBytes} bytes is reached (${hotBytes} bytes stored): delete records or topics, or shorten retention`;
  }

  /**
   * Why a partition's records are refused as too large for the cluster, or undefined. Each topic's
   * own max.message.bytes is the log's check; this one holds every topic to the plan's limit at once,
   * also those made before it was lowered. Counted as the log does: a batch after its offset and length.
   */
  batchTooLarge(records: Buffer): string | undefined {
    const max = this.maxMessageBytes;
    if (max === undefined || records.length <= max + BATCH_LOG_OVERHEAD) return undefined;
    for (let at = 0; at + BATCH_LOG_OVERHEAD <= records.length; ) {
      const length = records.readInt32BE(at + BatchOffset.BatchLength);
      if (length > max) return `a record batch of ${length} bytes is above this cluster's limit of ${max} (max.message.bytes)`;
      if (length <= 0) return undefined;
      at += BATCH_LOG_OVERHEAD + length;
    }
    return undefined;
  }
}
