import type { Service, Task } from '@aws-sdk/client-ecs';
import type { BrokerStatus } from '../orchestrator.ts';
import { BROKER_CONTAINER, BROKER_CONTAINER_PORT, TAG_CLUSTER_ID, TAG_MANAGED_BY, TAG_NODE_ID } from './ecs-resources.ts';

const STARTING_TASK = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/** A broker's state read from its service and its most recent tasks (running ones first). */
export function statusFromEcs(clusterId: string, nodeId: number, service: Service | undefined, tasks: Task[]): BrokerStatus {
  const base = { clusterId, nodeId };
  if (!service || service.status === 'INACTIVE') return { ...base, state: 'stopped', reason: 'no ECS service' };
  if (service.status === 'DRAINING') return { ...base, state: 'stopped', reason: 'ECS service is being deleted' };
  if (service.desiredCount === 0) return { ...base, state: 'stopped', reason: 'ECS service is scaled to zero' };

  const running = tasks.find((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING');
  if (running) {
    const ip = privateIp(running);
    return {
      ...base,
      state: 'running',
      taskArn: running.taskArn,
      endpoint: ip ? { host: ip, port: BROKER_CONTAINER_PORT } : undefined,
    };
  }

  const stopped = latestStopped(tasks);
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') {
    const why = [primary.rolloutStateReason, stopped && taskStopReason(stopped)].filter(Boolean).join('; ');
    return { ...base, state: 'failed', taskArn: stopped?.taskArn, reason: why || 'ECS deployment failed' };
  }

  const starting = tasks.find((t) => STARTING_TASK.has(t.lastStatus ?? ''));
  const reason = stopped ? `last task stopped: ${taskStopReason(stopped)}` : latestEvent(service);
  return { ...base, state: 'starting', taskArn: starting?.taskArn, reason };
}

/** The cheap view of a service used by list(): counts only, no task lookups. */
export function listedStatus(service: Service): BrokerStatus | undefined {
  const tags = new Map((service.tags ?? []).map((t) => [t.key, t.value]));
  if (tags.get(TAG_MANAGED_BY) !== 'fjord') return undefined;
  const clusterId = tags.get(TAG_CLUSTER_ID);
  const nodeId = Number(tags.get(TAG_NODE_ID));
  if (!clusterId || !Number.isInteger(nodeId)) return undefined;
  const base = { clusterId, nodeId };
  if (service.status !== 'ACTIVE' || service.desiredCount === 0) return { ...base, state: 'stopped' };
  if ((service.runningCount ?? 0) > 0) return { ...base, state: 'running' };
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') {
    return { ...base, state: 'failed', reason: primary.rolloutStateReason ?? 'ECS deployment failed' };
  }
  return { ...base, state: 'starting', reason: latestEvent(service) };
}

function privateIp(task: Task): string | undefined {
  const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  return eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
}

function latestStopped(tasks: Task[]): Task | undefined {
  return tasks
    .filter((t) => t.lastStatus === 'STOPPED')
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))[0];
}

function taskStopReason(task: Task): string {
  const container = task.containers?.find((c) => c.name === BROKER_CONTAINER);
  const detail = [
    container?.exitCode !== undefined ? `exit code ${container.exitCode}` : undefined,
    container?.reason,
  ].filter(Boolean);
  const reason = task.stoppedReason ?? task.stopCode ?? 'stopped';
  return detail.length > 0 ? `${reason} (${detail.join(', ')})` : reason;
}

function latestEvent(service: Service): string | undefined {
  // ECS lists service events newest first.
  return service.events?.[0]?.message;
}
