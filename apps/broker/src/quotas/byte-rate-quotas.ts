import type { ClientQuota, ClientQuotas } from '@fjord/broker-contract';
import { RateWindow } from './rate-window.ts';

export interface QuotaWindow {
  /** Samples in the window (Kafka's `quota.window.num`, 11). */
  samples: number;
  /** Length of one sample (Kafka's `quota.window.size.seconds`, 1 s). */
  sampleMs: number;
}

type Direction = 'ingress' | 'egress';
const FIELD = { ingress: 'ingressBytesPerSecond', egress: 'egressBytesPerSecond' } as const satisfies Record<Direction, keyof ClientQuota>;

/**
 * The bytes of one direction (produce or fetch) against its quotas: the cluster's and each
 * cluster API key's. Kafka's way (KIP-13): the bytes are counted first, and a client over a quota is
 * told how long to stay away, the time that brings the windowed rate back to the quota,
 * `(rate - quota) / quota * window` (KIP-219's throttle_time_ms).
 */
class DirectionQuotas {
  readonly #window: QuotaWindow;
  #cluster: RateWindow;
  #clusterQuota: number | undefined;
  /** Windows of the keys that have a quota, with the quota each was measured against. */
  readonly #keys = new Map<string, { window: RateWindow; quota: number }>();
  #keyQuota: (key: string) => number | undefined = () => undefined;

  constructor(window: QuotaWindow) {
    this.#window = window;
    this.#cluster = this.#newWindow(Date.now());
  }

  /** A quota that changes starts a new measurement, so it holds from the moment it arrives, neither owing nor owed. */
  setQuotas(cluster: number, keyQuota: (key: string) => number | undefined, now: number): void {
    if (cluster !== this.#clusterQuota) this.#cluster = this.#newWindow(now);
    this.#clusterQuota = cluster;
    this.#keyQuota = keyQuota;
    for (const [key, { quota }] of this.#keys) if (keyQuota(key) !== quota) this.#keys.delete(key);
  }

  /** Counts the bytes; returns the throttle time in ms (0 within every quota that applies). */
  record(principal: string | undefined, bytes: number, now: number): number {
    this.#cluster.record(bytes, now);
    let throttle = throttleMs(this.#cluster, this.#clusterQuota, now);
    const quota = principal === undefined ? undefined : this.#keyQuota(principal);
    // A key without a quota of its own costs nothing more than the cluster's count.
    if (quota !== undefined) {
      let entry = this.#keys.get(principal!);
      if (!entry) this.#keys.set(principal!, (entry = { window: this.#newWindow(now), quota }));
      entry.window.record(bytes, now);
      throttle = Math.max(throttle, throttleMs(entry.window, quota, now));
    }
    return throttle;
  }

  /** Takes back bytes counted for a response that was not sent after all (a throttled fetch). */
  unrecord(principal: string | undefined, bytes: number, now: number): void {
    this.#cluster.record(-bytes, now);
    if (principal !== undefined) this.#keys.get(principal)?.window.record(-bytes, now);
  }

  /** The most one response may carry now: what the window allows of the tightest quota that applies (as Kafka caps a fetch). */
  windowBytes(principal: string | undefined, now: number): number {
    const key = principal === undefined ? undefined : this.#keyQuota(principal);
    const quota = Math.min(this.#clusterQuota ?? Infinity, key ?? Infinity);
    return (quota * this.#cluster.windowMs(now)) / 1000;
  }

  clusterRate(now: number): number {
    return this.#cluster.rate(now);
  }

  #newWindow(now: number): RateWindow {
    return new RateWindow(this.#window.samples, this.#window.sampleMs, now);
  }
}

function throttleMs(window: RateWindow, quota: number | undefined, now: number): number {
  if (quota === undefined) return 0;
  const rate = window.rate(now);
  if (rate <= quota) return 0;
  // Past the window's span every byte counted has aged out, so a longer wait would only idle the client.
  return Math.min(Math.round(((rate - quota) / quota) * window.windowMs(now)), window.spanMs);
}

/** Produce and fetch byte rates of a cluster, per cluster and per cluster API key. */
export class ByteRateQuotas {
  readonly ingress: DirectionQuotas;
  readonly egress: DirectionQuotas;

  constructor(window: QuotaWindow) {
    this.ingress = new DirectionQuotas(window);
    this.egress = new DirectionQuotas(window);
  }

  /** Applies the cluster config's quotas; the measurements of quotas that did not change carry on. */
  update(cluster: { ingressBytesPerSecond: number; egressBytesPerSecond: number }, clients: ClientQuotas, now = Date.now()): void {
    for (const direction of ['ingress', 'egress'] as const) {
      const field = FIELD[direction];
      this[direction].setQuotas(cluster[field], (key) => (clients.keys[key] ?? clients.default)?.[field], now);
    }
  }
}
