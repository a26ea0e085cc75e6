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

/**
 * How one broker ended in a stopAll(): on SIGTERM, by SIGKILL after the grace period, on its own
 * before it was signalled, or not at all.
 */
export interface BrokerStopped {
  clusterId: string;
  nodeId: number;
  pid: number;
  outcome: 'terminated' | 'killed' | 'not-running' | 'failed';
  ms: number;
  /** Why a 'failed' broker could not be stopped. */
  reason?: string;
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
   * Stops every running broker in parallel, keeping its data, and reports each as it ends. Only a
   * backend whose brokers live and die with this machine has it (local: a laptop cloud stops with
   * `npm start`); ECS brokers outlive control-plane redeploys, so that backend leaves it out.
   */
  stopAll?(onStopped?: (broker: BrokerStopped) => void): Promise<BrokerStopped[]>;
  /**
   * Releases the orchestrator's own resources. Brokers keep running: a control plane that restarts
   * must find its clusters still serving, and adopts them again.
   */
  close(): Promise<void>;
}
