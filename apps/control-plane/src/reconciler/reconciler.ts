import { plans, type PlanName } from '@fjord/api';
import type { BrokerObjectStore } from '@fjord/broker-contract';
import type { Cluster, ClusterStatus } from '@fjord/db';
import type { ObjectStore } from '@fjord/object-store';
import { OrchestratorError, type BrokerSpec, type BrokerStatus, type Orchestrator } from '@fjord/orchestrator';
import type { Logger } from 'pino';
import type { ClusterSecrets } from '../cluster-secrets.ts';
import type { Repositories, Transact } from '../data-access.ts';
import { tieringPrefix } from '../internal/cluster-config.ts';
import type { SaslPlain } from '../kafka/index.ts';
import type { BrokerCertificates } from '../tls/broker-certificates.ts';
import { probeBroker } from './broker-probe.ts';
import type { LeaderLock } from './leader-lock.ts';
import { BrokerNotAnswering, tenantBrokerState, tenantReason } from './tenant-reasons.ts';

export interface ReconcilerOptions {
  repos: Pick<Repositories, 'clusters' | 'clusterEvents'>;
  transact: Transact;
  orchestrator: Orchestrator;
  secrets: ClusterSecrets;
  /** The TLS certificate each broker serves, signed by the installation's authority. */
  certificates: Pick<BrokerCertificates, 'forBroker' | 'authorityPem' | 'stale'>;
  /** Where clusters' tiered objects live; a deleted cluster's prefix is removed. */
  objectStore: ObjectStore;
  /** Prefix of every Fjord object in the store (FJORD_S3_PREFIX), before `clusters/<id>/`. */
  objectPrefix?: string;
  /** The store as brokers are told to tier into it; without it brokers tier nothing. */
  brokerObjectStore?: BrokerObjectStore;
  /** Where brokers reach this control plane's `/internal` API. */
  controlPlaneUrl: string;
  lock: LeaderLock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Pause between passes (each pass checks every cluster for drift). */
  intervalMs?: number;
  /** How often a standby replica tries to take the lock. */
  lockRetryMs?: number;
  /** Provisioning attempts before a cluster is FAILED. */
  maxAttempts?: number;
  /** How long the broker gets to answer the probe after it listens. */
  probeTimeoutMs?: number;
  /** Connects over TLS trusting `caPem`, as clients do. */
  probe?: (host: string, port: number, sasl: SaslPlain, caPem: string) => Promise<void>;
  /** Told after each status change (RUNNING, FAILED, removed), to wake requests waiting on the cluster. */
  onClusterChange?: (clusterId: string) => void;
  /** Work only the leader does, after each pass (the monthly invoice finalization). */
  whileLeading?: () => Promise<void>;
}

const NODE_ID = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Drives every cluster towards its status: PROVISIONING -> RUNNING once its broker answers Kafka,
 * DELETING -> gone once the broker, its data and its tiered objects are removed, FAILED after
 * `maxAttempts`. Each pass also repairs drift: a dead broker is started again on the same port with
 * the same data, a broker without a cluster is stopped. All state is in the database and the
 * orchestrator, so a restarted control plane converges to the same place. Only the holder of the
 * leader lock reconciles; other replicas wait to take over.
 */
export class Reconciler {
  readonly #o: Required<Omit<ReconcilerOptions, 'objectPrefix' | 'brokerObjectStore'>> &
    Pick<ReconcilerOptions, 'brokerObjectStore'> & { objectPrefix: string };
  /** Clusters with work in progress: a pass never starts a second task for one. */
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Earliest time of the next attempt after a failure, per cluster. */
  readonly #retryAt = new Map<string, number>();
  /** When work on a cluster last finished: a pass whose snapshot is older must not act on it again. */
  readonly #finishedAt = new Map<string, number>();
  /** Clusters this reconciler has looked at: a broker found stopped at the first look was stopped with the last control plane. */
  readonly #seen = new Set<string>();
  /** Last repair or teardown problem recorded as an event, so a persisting one is recorded once. */
  readonly #lastProblem = new Map<string, string>();
  #running: Promise<void> | undefined;
  #stopped = false;
  /** Unknown until the first lock attempt, so a replica that starts as standby says so too. */
  #leader: boolean | undefined;
  #wake: (() => void) | undefined;

  constructor(options: ReconcilerOptions) {
    this.#o = {
      intervalMs: 1_000,
      lockRetryMs: 3_000,
      maxAttempts: 5,
      probeTimeoutMs: 10_000,
      probe: probeBroker,
      onClusterChange: () => {},
      whileLeading: async () => {},
      ...options,
      objectPrefix: options.objectPrefix ?? '',
    };
  }

  get isLeader(): boolean {
    return this.#leader === true;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Runs the next pass now (after an API change) instead of at the next tick. */
  wake(): void {
    this.#wake?.();
  }

  /**
   * Stops reconciling and gives up the lock. Work in flight is abandoned, not undone. `whileLeader`
   * runs after the last pass, only on the replica that leads and before it lets go of the lock, so
   * no standby repairs the brokers it stops (a laptop control plane stopping its local brokers).
   */
  async stop(whileLeader?: () => Promise<void>): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#running;
    await Promise.race([Promise.allSettled(this.#inFlight.values()), sleep(5_000)]);
    if (this.#leader && whileLeader) await whileLeader();
    await this.#o.lock.release();
    this.#leader = false;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const leader = await this.#o.lock.tryAcquire();
      if (leader !== this.#leader) {
        this.#leader = leader;
        this.#o.logger.info({ leader }, leader ? 'reconciler leader' : 'reconciler standby');
      }
      if (leader) {
        try {
          await this.pass();
        } catch (err) {
          this.#o.logger.warn({ err: messageOf(err) }, 'reconciler pass failed');
        }
        await this.#o.whileLeading().catch((err: unknown) => this.#o.logger.warn({ err: messageOf(err) }, 'leader task failed'));
      }
      if (this.#stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, leader ? this.#o.intervalMs : this.#o.lockRetryMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** One look at every cluster and every broker; work per cluster runs in the background. */
  async pass(): Promise<void> {
    const snapshotAt = Date.now();
    const [clusters, brokers] = await Promise.all([this.#o.repos.clusters.listAll(), this.#o.orchestrator.list()]);
    const brokerOf = new Map(brokers.filter((b) => b.nodeId === NODE_ID).map((b) => [b.clusterId, b]));
    const known = new Set(clusters.map((c) => c.id));
    for (const id of this.#finishedAt.keys()) if (!known.has(id) && !this.#inFlight.has(id)) this.#finishedAt.delete(id);
    for (const id of this.#seen) if (!known.has(id)) this.#seen.delete(id);
    for (const cluster of clusters) {
      if (this.#inFlight.has(cluster.id) || (this.#retryAt.get(cluster.id) ?? 0) > Date.now()) continue;
      // Work that finished while the snapshot was read (a teardown that removed this very row) is not redone.
      if ((this.#finishedAt.get(cluster.id) ?? 0) >= snapshotAt) continue;
      this.#track(cluster.id, () => this.#reconcile(cluster, brokerOf.get(cluster.id)));
    }
    for (const broker of brokers) {
      if (known.has(broker.clusterId) || this.#inFlight.has(broker.clusterId) || broker.state === 'stopped') continue;
      if ((this.#finishedAt.get(broker.clusterId) ?? 0) >= snapshotAt) continue;
      this.#track(broker.clusterId, async () => {
        this.#o.logger.warn({ clusterId: broker.clusterId, nodeId: broker.nodeId }, 'stopping a broker that belongs to no cluster');
        // Its data stays: a broker without a cluster row may still be someone's data after a bad restore.
        await this.#o.orchestrator.stopBroker(broker.clusterId, broker.nodeId);
      });
    }
  }

  /** Resolves when no work is in flight (tests and benchmarks). */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled(this.#inFlight.values());
  }

  #track(id: string, task: () => Promise<void>): void {
    const run = task()
      .catch((err) => this.#o.logger.error({ clusterId: id, err: messageOf(err) }, 'reconciling a cluster failed'))
      .finally(() => {
        this.#inFlight.delete(id);
        this.#finishedAt.set(id, Date.now());
      });
    this.#inFlight.set(id, run);
  }

  async #reconcile(cluster: Cluster, broker: BrokerStatus | undefined): Promise<void> {
    const firstLook = !this.#seen.has(cluster.id);
    this.#seen.add(cluster.id);
    switch (cluster.status) {
      case 'PROVISIONING':
        return this.#provision(cluster);
      case 'RUNNING':
        return firstLook && broker?.state === 'stopped' ? this.#resume(cluster) : this.#repair(cluster, broker);
      case 'DELETING':
        return this.#teardown(cluster);
      case 'FAILED':
        // A failed cluster holds no broker: it would serve nothing anyone is told about.
        if (broker && broker.state !== 'stopped') await this.#o.orchestrator.stopBroker(cluster.id, NODE_ID);
        return;
      case 'DELETED':
        return;
    }
  }

  async #spec(cluster: Cluster): Promise<BrokerSpec> {
    const plan = plans[cluster.plan as PlanName];
    return {
      clusterId: cluster.id,
      nodeId: NODE_ID,
      host: cluster.host,
      port: cluster.port,
      config: {
        auth: 'sasl_plain',
        // Always TLS: a plaintext listener is for a broker run alone in development.
        tls: await this.#o.certificates.forBroker(cluster.id, cluster.host),
        controlPlane: { url: this.#o.controlPlaneUrl, token: this.#o.secrets.brokerToken(cluster.id) },
        limits: { maxPartitions: plan.limits.maxPartitions, maxMessageBytes: plan.limits.maxMessageBytes },
        ...(this.#o.brokerObjectStore && { tiering: { objectStore: this.#o.brokerObjectStore } }),
      },
    };
  }

  async #event(cluster: Cluster, type: string, status: ClusterStatus, message: string): Promise<void> {
    await this.#o.repos.clusterEvents.record(cluster.orgId, cluster.id, { type, status, message });
  }

  /** Starts the broker and waits until it answers Kafka with our credential. */
  async #startAndProbe(cluster: Cluster): Promise<void> {
    await this.#o.orchestrator.ensureBroker(await this.#spec(cluster));
    const sasl: SaslPlain = { mechanism: 'plain', ...this.#o.secrets.adminCredential(cluster.id) };
    const caPem = await this.#o.certificates.authorityPem();
    const deadline = Date.now() + this.#o.probeTimeoutMs;
    for (;;) {
      try {
        return await this.#o.probe(cluster.host, cluster.port, sasl, caPem);
      } catch (err) {
        if (Date.now() >= deadline) throw new BrokerNotAnswering(`the broker does not answer Kafka requests: ${messageOf(err)}`, { cause: err });
        await sleep(100);
      }
    }
  }

  async #provision(cluster: Cluster): Promise<void> {
    const started = Date.now();
    try {
      await this.#startAndProbe(cluster);
    } catch (err) {
      return this.#provisioningFailed(cluster, err);
    }
    const becameRunning = await this.#o.transact(async (tx) => {
      const moved = await tx.clusters.transition(cluster.orgId, cluster.id, 'PROVISIONING', { status: 'RUNNING', attempts: 0, failureReason: null, runningAt: new Date() });
      if (moved) {
        await tx.clusterEvents.record(cluster.orgId, cluster.id, {
          type: 'cluster.running',
          status: 'RUNNING',
          message: `broker answering on ${cluster.host}:${cluster.port} (started in ${Date.now() - started} ms)`,
        });
      }
      return moved;
    });
    this.#retryAt.delete(cluster.id);
    if (!becameRunning) return;
    this.#o.onClusterChange(cluster.id);
    this.#o.logger.info({ clusterId: cluster.id, ms: Date.now() - cluster.createdAt.getTime() }, 'cluster running');
  }

  async #provisioningFailed(cluster: Cluster, err: unknown): Promise<void> {
    const attempts = cluster.attempts + 1;
    const reason = tenantReason(err, cluster.id);
    const final = (err instanceof OrchestratorError && !err.retriable) || attempts >= this.#o.maxAttempts;
    this.#o.logger.warn({ clusterId: cluster.id, attempts, final, err: messageOf(err) }, 'provisioning attempt failed');
    if (final) {
      await this.#o.orchestrator.stopBroker(cluster.id, NODE_ID).catch(() => {});
      await this.#o.transact(async (tx) => {
        if (await tx.clusters.transition(cluster.orgId, cluster.id, 'PROVISIONING', { status: 'FAILED', attempts, failureReason: reason })) {
          await tx.clusterEvents.record(cluster.orgId, cluster.id, { type: 'cluster.failed', status: 'FAILED', message: `after ${attempts} attempt(s): ${reason}` });
        }
      });
      this.#o.onClusterChange(cluster.id);
      return;
    }
    await this.#o.transact(async (tx) => {
      if (await tx.clusters.transition(cluster.orgId, cluster.id, 'PROVISIONING', { attempts })) {
        await tx.clusterEvents.record(cluster.orgId, cluster.id, { type: 'cluster.retrying', status: 'PROVISIONING', message: `attempt ${attempts} failed: ${reason}` });
      }
    });
    this.#retryAt.set(cluster.id, Date.now() + Math.min(1_000 * 2 ** (attempts - 1), 15_000));
  }

  /**
   * A RUNNING cluster whose broker is not running gets it back, on the same port with the same data;
   * a running one whose certificate nears its end (or names another host) restarts with a new one.
   */
  async #repair(cluster: Cluster, broker: BrokerStatus | undefined): Promise<void> {
    if (broker?.state === 'running' || broker?.state === 'starting') {
      this.#lastProblem.delete(cluster.id);
      if (broker.state === 'running' && (await this.#o.certificates.stale(cluster.id, cluster.host))) await this.#renewCertificate(cluster);
      return;
    }
    const why = broker?.reason ?? `broker is ${broker?.state ?? 'missing'}`;
    if (!this.#lastProblem.has(cluster.id)) {
      this.#o.logger.warn({ clusterId: cluster.id, why }, 'broker down');
      await this.#event(cluster, 'broker.down', 'RUNNING', tenantBrokerState(broker, cluster.id));
    }
    try {
      await this.#o.orchestrator.ensureBroker(await this.#spec(cluster));
    } catch (err) {
      const reason = tenantReason(err, cluster.id);
      this.#o.logger.warn({ clusterId: cluster.id, err: messageOf(err) }, 'broker restart failed');
      if (this.#lastProblem.get(cluster.id) !== reason) await this.#event(cluster, 'broker.restart-failed', 'RUNNING', reason);
      this.#lastProblem.set(cluster.id, reason);
      this.#retryAt.set(cluster.id, Date.now() + 2_000);
      return;
    }
    this.#lastProblem.delete(cluster.id);
    await this.#event(cluster, 'broker.restarted', 'RUNNING', `broker restarted on ${cluster.host}:${cluster.port} with its data`);
    this.#o.logger.info({ clusterId: cluster.id, why }, 'broker restarted');
  }

  async #renewCertificate(cluster: Cluster): Promise<void> {
    try {
      await this.#o.orchestrator.ensureBroker(await this.#spec(cluster));
    } catch (err) {
      this.#retryAt.set(cluster.id, Date.now() + 2_000);
      this.#o.logger.warn({ clusterId: cluster.id, err: messageOf(err) }, 'restarting a broker with a renewed certificate failed');
      return;
    }
    await this.#event(cluster, 'broker.certificate-renewed', 'RUNNING', `broker restarted with a new TLS certificate for ${cluster.host}`);
  }

  /** Starts a broker that the last control plane stopped on its clean way out: a restart, not an outage. */
  async #resume(cluster: Cluster): Promise<void> {
    try {
      await this.#o.orchestrator.ensureBroker(await this.#spec(cluster));
    } catch (err) {
      // From here on it is an outage like any other: the next pass repairs it and says so.
      const reason = tenantReason(err, cluster.id);
      this.#o.logger.warn({ clusterId: cluster.id, err: messageOf(err) }, 'broker restart failed');
      await this.#event(cluster, 'broker.restart-failed', 'RUNNING', reason);
      this.#lastProblem.set(cluster.id, reason);
      this.#retryAt.set(cluster.id, Date.now() + 2_000);
      return;
    }
    await this.#event(cluster, 'broker.started', 'RUNNING', `broker started after control-plane restart on ${cluster.host}:${cluster.port} with its data`);
    this.#o.logger.info({ clusterId: cluster.id }, 'broker started after control-plane restart');
  }

  async #teardown(cluster: Cluster): Promise<void> {
    try {
      await this.#o.orchestrator.stopBroker(cluster.id, NODE_ID, { deleteData: true });
      const objects = await this.#o.objectStore.deletePrefix(`${this.#o.objectPrefix}${tieringPrefix(cluster.id)}`);
      await this.#o.repos.clusters.remove(cluster.orgId, cluster.id);
      this.#o.onClusterChange(cluster.id);
      this.#lastProblem.delete(cluster.id);
      this.#retryAt.delete(cluster.id);
      this.#o.logger.info({ clusterId: cluster.id, objects }, 'cluster deleted');
    } catch (err) {
      const reason = tenantReason(err, cluster.id);
      this.#o.logger.warn({ clusterId: cluster.id, err: messageOf(err) }, 'cluster teardown failed');
      if (this.#lastProblem.get(cluster.id) !== reason) await this.#event(cluster, 'cluster.delete-retrying', 'DELETING', reason);
      this.#lastProblem.set(cluster.id, reason);
      this.#retryAt.set(cluster.id, Date.now() + 2_000);
    }
  }
}
