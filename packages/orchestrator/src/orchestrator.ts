/**
 * The contract between the control plane's reconciler and whatever runs brokers.
 * Every method is idempotent so the reconciler can call it again after any crash.
 */
import type { BrokerSettings } from '@fjord/broker-contract';

export interface BrokerSpec {
  clusterId: string;
  nodeId: number;
  /** The address clients bootstrap from. Locally the broker listens on it; the caller allocates and persists the port. */
  host: string;
  port: number;
  /** The broker config minus what the backend decides (`dataDir`, `listen`) and who it is. */
  config: BrokerSettings;
}

export type BrokerState = 'starting' | 'running' | 'stopped' | 'failed';

export interface BrokerStatus {
  clusterId: string;
  nodeId: number;
  state: BrokerState;
  pid?: number;
  taskArn?: string;
  endpoint?: { host: string; port: number };
  /** Why the broker is not running, in words the reconciler can store as a FAILED reason. */
  reason?: string;
}

export interface StopOptions {
  /** Also remove what the broker stored (local data dir; on ECS tasks keep nothing, so it changes nothing). */
  deleteData?: boolean;
}

export interface Orchestrator {
  /** Starts the broker unless it already runs with this spec; restarts it when the spec changed. */
  ensureBroker(spec: BrokerSpec): Promise<BrokerStatus>;
  /** Stops the broker; stopping a broker that does not exist succeeds. */
  stopBroker(clusterId: string, nodeId: number, opts?: StopOptions): Promise<void>;
  /** Every broker this orchestrator knows of, running or not, so the reconciler can find orphans. */
  list(): Promise<BrokerStatus[]>;
  health(clusterId: string, nodeId: number): Promise<BrokerStatus>;
  /**
   * Releases the orchestrator's own resources. Brokers keep running: a control plane that restarts
   * must find its clusters still serving, and adopts them again.
   */
  close(): Promise<void>;
}
