import type { Logger } from 'pino';
import { LogThrottle } from './log-throttle.ts';

export interface ConnectionCaps {
  /** Connections of the cluster at once: the plan's `quotas.maxConnections` once the control plane sent it. */
  maxConnections: number;
  maxConnectionsPerIp: number;
}

/**
 * Admits new connections while the cluster and the client address are under their caps. One over
 * is closed at once, before it costs a buffer or a timer, and logged at most once a second.
 */
export class ConnectionGate {
  readonly #caps: ConnectionCaps;
  readonly #perHost = new Map<string, number>();
  readonly #refusals: LogThrottle;
  #open = 0;

  constructor(caps: ConnectionCaps, logger: Logger) {
    this.#caps = { maxConnections: caps.maxConnections, maxConnectionsPerIp: caps.maxConnectionsPerIp };
    this.#refusals = new LogThrottle(logger, 'refusing connection: over the connection cap');
  }

  set maxConnections(value: number) {
    this.#caps.maxConnections = value;
  }

  get open(): number {
    return this.#open;
  }

  /** Counts the connection in and returns true, or returns false when a cap is reached. */
  admit(host: string): boolean {
    const ofHost = this.#perHost.get(host) ?? 0;
    const { maxConnections, maxConnectionsPerIp } = this.#caps;
    const cap = this.#open >= maxConnections ? 'cluster' : ofHost >= maxConnectionsPerIp ? 'client address' : undefined;
    if (cap) {
      this.#refusals.note({ remoteHost: host, cap, open: this.#open, maxConnections, maxConnectionsPerIp });
      return false;
    }
    this.#open++;
    this.#perHost.set(host, ofHost + 1);
    return true;
  }

  release(host: string): void {
    this.#open--;
    const ofHost = (this.#perHost.get(host) ?? 1) - 1;
    if (ofHost > 0) this.#perHost.set(host, ofHost);
    else this.#perHost.delete(host);
  }
}
